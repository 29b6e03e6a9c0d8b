// checkHistory: split by key (P-compositionality: a history is linearizable
// iff each key's sub-history is), reduce each key, search it, and explain
// every failing key.
import { describeOp, explain, minimize } from './explain.ts';
import { pairOperations } from './pairing.ts';
import { reduceKey } from './reduce.ts';
import { newBudget, searchKey, type SearchOutcome } from './search.ts';
import type { CheckResult, HistoryEvent, KeyFailure, KeyResult, Operation, Value, Verdict } from './types.ts';

export interface CheckOptions {
  /** Time limit for the whole check, ms (default 60 s). Reached -> 'unknown'. */
  timeoutMs?: number;
  /** Initial register value of every key (default null). */
  initialValue?: Value;
  /** Memory the search cache may use, bytes (default 512 MiB). Exceeded -> 'unknown'. */
  maxCacheBytes?: number;
  /** Time for shrinking each failure to a minimal sub-history, ms (default 5 s). */
  minimizeMs?: number;
  /** Shrink and explain failures (default true). Off: failures carry only prefix and stuck op. */
  explain?: boolean;
}

export interface KeyFailureDetail extends KeyFailure {
  /** True when `minimal` is proven 1-minimal; false if the shrinking ran out of time. */
  minimalIsOneMinimal: boolean;
}

export interface CheckResultDetail extends CheckResult {
  failures: KeyFailureDetail[];
  /** Why the verdict is unknown, when it is. */
  unknownReason?: 'timeout' | 'memory';
}

function isOperations(x: HistoryEvent[] | Operation[]): x is Operation[] {
  return x.length > 0 && 'status' in x[0];
}

export function worst(a: Verdict, b: Verdict): Verdict {
  if (a === false || b === false) return false;
  if (a === 'unknown' || b === 'unknown') return 'unknown';
  return true;
}

export async function checkHistory(history: HistoryEvent[] | Operation[], options: CheckOptions = {}): Promise<CheckResultDetail> {
  return checkOperationsSync(isOperations(history) ? history : pairOperations(history as HistoryEvent[]), options);
}

export function checkOperationsSync(ops: Operation[], options: CheckOptions = {}): CheckResultDetail {
  const started = performance.now();
  const initial = options.initialValue ?? null;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = started + timeoutMs;
  const byKey = new Map<string, Operation[]>();
  for (const op of ops) {
    let list = byKey.get(op.key);
    if (list === undefined) byKey.set(op.key, (list = []));
    list.push(op);
  }
  const keys = [...byKey.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const outcomes = new Map<string, SearchOutcome>();
  const spent = new Map<string, number>();
  const run = (key: string, sliceMs: number): void => {
    const t0 = performance.now();
    const budget = newBudget(Math.min(sliceMs, deadline - t0), options.maxCacheBytes);
    const outcome = searchKey(reduceKey(byKey.get(key)!), initial, budget);
    outcomes.set(key, outcome);
    spent.set(key, (spent.get(key) ?? 0) + performance.now() - t0);
  };
  // Iterative deepening over keys: every unresolved key gets a slice of 10 ms,
  // then 100 ms, 1 s, 10 s, then whatever is left. One hard key cannot hide an
  // easy violation in another, and once any key is illegal the verdict is
  // false, so we stop escalating (the remaining hard keys stay 'unknown' in
  // perKey). Restarting costs at most ~11% of a key's search time.
  let pending = keys;
  for (let slice = 10; pending.length > 0 && performance.now() < deadline; slice *= 10) {
    for (const key of pending) {
      if (performance.now() >= deadline) break;
      run(key, slice >= 100_000 ? Infinity : slice);
    }
    if (keys.some((k) => outcomes.get(k)?.result === 'illegal')) break;
    pending = pending.filter((k) => {
      const o = outcomes.get(k)!;
      return o.result === 'unknown' && o.reason === 'timeout';
    });
  }
  for (const key of keys) if (!outcomes.has(key)) outcomes.set(key, { result: 'unknown', reason: 'timeout' });
  const perKey: KeyResult[] = [];
  const failures: KeyFailureDetail[] = [];
  let valid: Verdict = true;
  let unknownReason: 'timeout' | 'memory' | undefined;
  for (const key of keys) {
    const keyOps = byKey.get(key)!;
    const outcome = outcomes.get(key)!;
    let keyValid: Verdict;
    const t0 = performance.now();
    if (outcome.result === 'ok') keyValid = true;
    else if (outcome.result === 'unknown') {
      keyValid = 'unknown';
      unknownReason ??= outcome.reason;
    } else if (options.explain === false) {
      keyValid = false;
      failures.push({
        key,
        longestPrefix: outcome.prefix.map((s) => ({ op: s.op, stateBefore: s.before, stateAfter: s.after })),
        stuck: outcome.stuck,
        minimal: [],
        minimalIsOneMinimal: false,
        explanation: `${describeOp(outcome.stuck)} cannot be linearized after the longest linearizable prefix (${outcome.prefix.length} operations).`,
      });
    } else {
      keyValid = false;
      const shrunk = minimize(keyOps, outcome.stuck, initial, options.minimizeMs ?? 5_000);
      failures.push({
        key,
        longestPrefix: outcome.prefix.map((s) => ({ op: s.op, stateBefore: s.before, stateAfter: s.after })),
        stuck: outcome.stuck,
        minimal: [...shrunk.ops].sort((a, b) => a.call - b.call || a.id - b.id),
        minimalIsOneMinimal: shrunk.oneMinimal,
        explanation: explain(key, shrunk.ops, initial),
      });
    }
    valid = worst(valid, keyValid);
    perKey.push({ key, valid: keyValid, ops: keyOps.length, elapsedMs: spent.get(key)! + performance.now() - t0 });
  }
  const result: CheckResultDetail = { valid, ops: ops.length, keys: byKey.size, elapsedMs: performance.now() - started, failures, perKey };
  if (valid === 'unknown' && unknownReason !== undefined) result.unknownReason = unknownReason;
  return result;
}
