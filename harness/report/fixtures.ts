// Test helpers: hand-made checker results over real histories, so the report
// can be tested without depending on the checker's search.
import { loadHistoryFile, pairOperations } from '../../checkers/index.ts';
import type { CheckResult, HistoryEvent, KeyFailure, Operation, Value } from '../../checkers/types.ts';

export function readJsonl(path: string): HistoryEvent[] {
  return loadHistoryFile(path, { format: 'jsonl' }).events;
}

/**
 * Operations exactly as the checker pairs them (ids in invoke order, info returns at infinity).
 * Nemesis events are left out first: bigHistory appends them out of time order, which the
 * report tolerates and the checker's order rules would refuse.
 */
export function operationsOf(history: HistoryEvent[]): Operation[] {
  return pairOperations(history.filter((e) => e.process !== 'nemesis'));
}

/** A failure built from invoke indices: prefix steps with their states, the stuck op, the minimal set. */
export function failureFrom(
  ops: Operation[],
  key: string,
  prefix: [invokeIndex: number, before: Value, after: Value][],
  stuckInvoke: number,
  minimalInvokes: number[],
  explanation: string,
): KeyFailure {
  const at = (i: number): Operation => {
    const op = ops.find((o) => o.invokeIndex === i);
    if (op === undefined) throw new Error(`fixture: no op invoked at event ${i}`);
    return op;
  };
  return {
    key,
    longestPrefix: prefix.map(([i, stateBefore, stateAfter]) => ({ op: at(i), stateBefore, stateAfter })),
    stuck: at(stuckInvoke),
    minimal: minimalInvokes.map(at),
    explanation,
  };
}

export function resultFor(history: HistoryEvent[], failures: KeyFailure[]): CheckResult {
  const ops = operationsOf(history);
  const keys = [...new Set(ops.map((o) => o.key))];
  const failing = new Set(failures.map((f) => f.key));
  return {
    valid: failures.length > 0 ? false : true,
    ops: ops.length,
    keys: keys.length,
    elapsedMs: 3.2,
    verdictMs: 1.1,
    failures,
    perKey: keys.map((key) => ({ key, valid: failing.has(key) ? false : true, ops: ops.filter((o) => o.key === key).length, elapsedMs: 1.1 })),
  };
}

/** The committed failover example with the failure the checker finds on key x (as of the checker's first version). */
export function failoverExample(path: string): { history: HistoryEvent[]; result: CheckResult } {
  const history = readJsonl(path);
  const ops = operationsOf(history);
  const failure = failureFrom(
    ops,
    'x',
    [
      [0, null, 1],
      [4, 1, 1],
      [6, 1, 2],
      [10, 2, 2],
      [18, 2, 4],
    ],
    20,
    [0, 6, 18, 20],
    'A read of key "x" by process 2 returned 2, but 4 was written by process 0 and acknowledged before the read began, and every write of 2 had completed before it began: nothing wrote 2 since.',
  );
  return { history, result: resultFor(history, [failure]) };
}

/** `n` ops over `concurrency` threads, every 50th op info (retiring its process). */
export function bigHistory(n: number, concurrency: number): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  const procOfThread = Array.from({ length: concurrency }, (_, i) => i);
  let nextProcess = concurrency;
  let t = 0;
  for (let i = 0; i < n; i += concurrency) {
    const batch = Math.min(concurrency, n - i);
    for (let k = 0; k < batch; k++) {
      t += 1000;
      events.push({ index: events.length, time: t, process: procOfThread[k], type: 'invoke', f: k % 2 ? 'read' : 'write', key: `k${(i + k) % 7}`, value: k % 2 ? null : i } as HistoryEvent);
    }
    for (let k = 0; k < batch; k++) {
      t += 5000;
      const info = (i + k) % 50 === 49;
      events.push({ index: events.length, time: t, process: procOfThread[k], type: info ? 'info' : 'ok', f: k % 2 ? 'read' : 'write', key: `k${(i + k) % 7}`, value: k % 2 ? i : i } as HistoryEvent);
      if (info) procOfThread[k] = nextProcess++;
    }
  }
  for (let s = 0; s < 5; s++) {
    events.push({ index: events.length, time: (t / 6) * (s + 1), process: 'nemesis', type: 'info', f: s % 2 ? 'stop-partition' : 'start-partition' });
  }
  return events;
}
