// checkHistory: split by key (P-compositionality: a history is linearizable
// iff each key's sub-history is), reduce each key, search it, and explain
// every failing key.
import { describeOp, explain, minimize, type TimeUnit } from './explain.ts';
import { pairOperations } from './pairing.ts';
import { ValueTable } from './model.ts';
import { searchableOps } from './reduce.ts';
import { DEFAULT_MAX_CACHE_BYTES, KeySearch, type SearchBudget, type SearchOutcome } from './search.ts';
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
  /** checkHistory only: search keys still open after 1 s on worker threads (default true). */
  parallel?: boolean;
  /** What history times are, for the times explanations quote: ns since the start (default) or line numbers (imported logs). */
  timeUnit?: TimeUnit;
  /** checkHistory only: aborting stops the search within a slice (about 50 ms) and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** checkHistory only: called at the start, between search slices (about every 50 ms while searching), and at the end. */
  onProgress?: (progress: CheckProgress) => void;
}

export interface CheckProgress {
  keys: number;
  /** Keys with a verdict so far. */
  decided: number;
  elapsedMs: number;
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
const FAILED_EXTRA_MS = 250;
/** How long checkHistory searches before it lets the event loop run (an abort, progress, the caller's timers). */
const YIELD_MS = 50;

function isOperations(x: HistoryEvent[] | Operation[]): x is Operation[] {
  return x.length > 0 && 'status' in x[0];
}

export function worst(a: Verdict, b: Verdict): Verdict {
  if (a === false || b === false) return false;
  if (a === 'unknown' || b === 'unknown') return 'unknown';
  return true;
}

export async function checkHistory(history: HistoryEvent[] | Operation[], options: CheckOptions = {}): Promise<CheckResultDetail> {
  const { signal, onProgress } = options;
  signal?.throwIfAborted();
  const run = new KeyChecks(isOperations(history) ? history : pairOperations(history as HistoryEvent[]), options);
  const progress = () => onProgress?.({ keys: run.keys.length, decided: run.outcomes.size, elapsedMs: performance.now() - run.started });
  // Searching is synchronous; between slices the event loop gets a turn, so an abort can land.
  const deepen = async (maxSlice: number) => {
    while (!run.deepen(maxSlice, performance.now() + YIELD_MS)) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      signal?.throwIfAborted();
      progress();
    }
  };
  progress();
  // Short slices on this thread first: most keys, and most violations, are decided in them.
  await deepen(1_000);
  if (run.pending.length >= 2 && run.failedAt === Infinity && options.parallel !== false) {
    // Several keys each needed more than a second: search them on worker threads. Loaded only
    // then: worker_threads and the pool cost a few ms of every short check's start-up.
    const { searchInWorkers } = await import('./workers.ts');
    await searchInWorkers(run, signal);
    signal?.throwIfAborted();
  }
  await deepen(Infinity);
  // An abort between two yields still wins: an aborted check never resolves.
  signal?.throwIfAborted();
  const result = run.finish();
  progress();
  return result;
}

export function checkOperationsSync(ops: Operation[], options: CheckOptions = {}): CheckResultDetail {
  const run = new KeyChecks(ops, options);
  run.deepen(Infinity);
  return run.finish();
}

/** The per-key state of one check: searched in rounds, then reported. */
export class KeyChecks {
  readonly started = performance.now();
  readonly initial: Value;
  readonly timeoutMs: number;
  readonly deadline: number;
  readonly byKey = new Map<string, Operation[]>();
  readonly keys: string[];
  readonly outcomes = new Map<string, SearchOutcome>();
  readonly spent = new Map<string, number>();
  /** The values of every key, numbered once for reduce and the searches (see KeySearch). */
  private readonly values = new ValueTable();
  /** Searches paused at the end of their slice, resumed in the next round. */
  private readonly searches = new Map<string, KeySearch>();
  /** One cache budget for this thread's searches; a search that needs more takes it from paused ones. */
  private readonly budget: SearchBudget;
  /** Keys still undecided after the last round (timed out). */
  pending: string[];
  /** When the first key was found illegal (performance.now()), or Infinity. */
  failedAt = Infinity;
  private slice = 1;
  /** Position in `pending` of the next key of this round (a round may span several deepen calls). */
  private cursor = 0;

  constructor(
    readonly ops: Operation[],
    readonly options: CheckOptions,
  ) {
    this.initial = options.initialValue ?? null;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.deadline = this.started + this.timeoutMs;
    // Indexed, not for-of: a cold check runs this in V8's interpreter, where for-of allocates a result object per op.
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i];
      let list = this.byKey.get(op.key);
      if (list === undefined) this.byKey.set(op.key, (list = []));
      list.push(op);
    }
    this.keys = [...this.byKey.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    this.pending = this.keys;
    this.budget = {
      deadline: this.deadline,
      maxCacheWords: Math.floor((options.maxCacheBytes ?? DEFAULT_MAX_CACHE_BYTES) / 4),
      usedCacheWords: 0,
      reclaim: (asking) => this.reclaim(asking),
    };
  }

  /** Frees the largest cache of a paused search other than `asking` (it starts over when resumed). */
  private reclaim(asking: KeySearch): boolean {
    let victim: KeySearch | undefined;
    for (const s of this.searches.values()) if (s !== asking && s.heldWords > (victim?.heldWords ?? 0)) victim = s;
    victim?.release();
    return victim !== undefined;
  }

  /** Drops the paused search of `key` (a worker thread takes the key over). */
  release(key: string): void {
    this.searches.get(key)?.release();
    this.searches.delete(key);
  }

  /** The ops the search sees for a key: reduced, unless reductions are off. */
  searchOps(key: string): Operation[] {
    const keyOps = this.byKey.get(key)!;
    return searchableOps(keyOps, this.options.reduce !== false, this.values);
  }

  /** Time spent on `key`, and its outcome once it has one. */
  record(key: string, outcome: SearchOutcome | null, ms: number): void {
    this.spent.set(key, (this.spent.get(key) ?? 0) + ms);
    if (outcome === null) return;
    this.outcomes.set(key, outcome);
    if (outcome.result === 'illegal' && this.failedAt === Infinity) this.failedAt = performance.now();
  }

  /** Pending keys without an outcome, or whose outcome is a timeout (a worker's). */
  undecided(): string[] {
    return this.pending.filter((k) => {
      const o = this.outcomes.get(k);
      return o === undefined || (o.result === 'unknown' && o.reason === 'timeout');
    });
  }

  /** Whether searching should go on, and until when. */
  get roundDeadline(): number {
    if (this.failedAt === Infinity) return this.deadline;
    if (this.options.explain === false) return -Infinity;
    return Math.min(this.deadline, this.failedAt + FAILED_EXTRA_MS);
  }

  // Iterative deepening over keys: every unresolved key gets a slice of 1 ms,
  // then 10 ms, 100 ms, 1 s, 10 s, then whatever is left. One hard key cannot
  // hide an easy violation in another. A search pauses at the end of its
  // slice and resumes in the next round, so the rounds cost nothing. Once any
  // key is illegal the verdict is false: with explain off (Porcupine's
  // behaviour) we stop there; otherwise the other keys get at most
  // FAILED_EXTRA_MS more, so the report names every failing key it cheaply
  // can. Keys still open stay 'unknown' in perKey.
  //
  // Returns false when it stopped at `yieldAt` with the round unfinished (call
  // again to go on), true when every round up to maxSlice is done.
  deepen(maxSlice: number, yieldAt = Infinity): boolean {
    while (this.pending.length > 0 && this.slice <= maxSlice && performance.now() < this.roundDeadline) {
      while (this.cursor < this.pending.length) {
        const until = this.roundDeadline;
        const t0 = performance.now();
        if (t0 >= until) break;
        if (t0 >= yieldAt) return false;
        const key = this.pending[this.cursor++];
        let search = this.searches.get(key);
        if (search === undefined) this.searches.set(key, (search = new KeySearch(this.searchOps(key), this.initial, this.budget, true, 'kernel', this.values)));
        const outcome = search.run(this.slice > 10_000 ? until : Math.min(t0 + this.slice, until));
        if (outcome !== null) this.searches.delete(key);
        this.record(key, outcome, performance.now() - t0);
      }
      this.cursor = 0;
      this.pending = this.undecided();
      this.slice *= 10;
    }
    return true;
  }

  finish(): CheckResultDetail {
    const verdictMs = (this.failedAt !== Infinity ? this.failedAt : performance.now()) - this.started;
    for (const key of [...this.searches.keys()]) this.release(key);
    const { keys, byKey, outcomes, spent, initial, options, timeoutMs, ops, started } = this;
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
          explanation: explain(key, shrunk.ops, initial, { history: keyOps, stuck: outcome.stuck, unit: options.timeUnit }),
        });
      }
      valid = worst(valid, keyValid);
      perKey.push({ key, valid: keyValid, ops: keyOps.length, elapsedMs: spent.get(key)! + performance.now() - t0 });
    }
    const result: CheckResultDetail = { valid, ops: ops.length, keys: byKey.size, elapsedMs: performance.now() - started, verdictMs, failures, perKey };
    if (valid === 'unknown' && unknownReason !== undefined) result.unknownReason = unknownReason;
    return result;
  }
}
