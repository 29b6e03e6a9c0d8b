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
  /** Memory the search cache may use, bytes (default 384 MiB). Exceeded -> 'unknown'. */
  maxCacheBytes?: number;
  /** Time for shrinking failures to minimal sub-histories, all keys together, ms (default 5 s, at most timeoutMs). */
  minimizeMs?: number;
  /** Apply the sound reductions of reduce.ts before searching (default true; off only to measure them). */
  reduce?: boolean;
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

const PER_KEY_MINIMIZE_MS = 2_000;
const FAILED_EXTRA_MS = 1_000;

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
    const keyOps = byKey.get(key)!;
    const outcome = searchKey(options.reduce === false ? keyOps.filter((o) => o.status !== 'fail') : reduceKey(keyOps), initial, budget);
    outcomes.set(key, outcome);
    spent.set(key, (spent.get(key) ?? 0) + performance.now() - t0);
  };
  // Iterative deepening over keys: every unresolved key gets a slice of 1 ms,
  // then 10 ms, 100 ms, 1 s, 10 s, then whatever is left. One hard key cannot
  // hide an easy violation in another. Once any key is illegal the verdict is
  // false: with explain off (Porcupine's behaviour) we stop there; otherwise
  // the other keys get at most FAILED_EXTRA_MS more, so the report names
  // every failing key it cheaply can. Keys still open stay 'unknown' in
  // perKey. Restarting costs at most ~11% of a key's search time.
  let pending = keys;
  let failedAt = Infinity;
  for (let slice = 1; pending.length > 0 && performance.now() < deadline; slice *= 10) {
    const roundDeadline = Math.min(deadline, failedAt + FAILED_EXTRA_MS);
    for (const key of pending) {
      if (performance.now() >= roundDeadline) break;
      run(key, Math.min(slice > 10_000 ? Infinity : slice, roundDeadline - performance.now()));
    }
    if (failedAt === Infinity && keys.some((k) => outcomes.get(k)?.result === 'illegal')) {
      if (options.explain === false) break;
      failedAt = performance.now();
    }
    if (performance.now() >= roundDeadline) break;
    pending = pending.filter((k) => {
      const o = outcomes.get(k)!;
      return o.result === 'unknown' && o.reason === 'timeout';
    });
  }
  for (const key of keys) if (!outcomes.has(key)) outcomes.set(key, { result: 'unknown', reason: 'timeout' });
  // Shrinking shares one budget across failing keys, so many failures cannot multiply it.
  const minimizeDeadline = performance.now() + (options.minimizeMs ?? Math.min(5_000, timeoutMs));
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
      const shrunk = minimize(keyOps, outcome.stuck, initial, Math.min(minimizeDeadline, performance.now() + PER_KEY_MINIMIZE_MS));
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
