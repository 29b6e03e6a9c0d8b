// The register workload (Maelstrom's lin-kv): logical client processes
// issuing read, write and cas over a few keys, each key an independent
// register. Schema (what an operation is), generator (a seeded fast-check
// schedule), client (request and reply mapping), and runner live here.
//
// Jepsen's process discipline: a process alternates invoke and completion; a
// completion that is indefinite (timeout, lost connection, an indefinite error
// code) is recorded as `info`, and that process is retired for good: its slot
// continues under a fresh process id, on a fresh connection.
import fc from 'fast-check';
import { isValue } from '../../checkers/index.ts';
import type { OpFunction, Value } from '../../checkers/types.ts';
import { describeError } from '../client/errorCodes.ts';
import type { Outcome } from '../client/wireConnection.ts';
import type { ClientConnection, Cluster } from '../engine/cluster.ts';
import type { HistoryRecorder } from '../recorder.ts';

// ---- schema ----------------------------------------------------------------

/**
 * A register's key as it goes on the wire and into the history: `"k0"` for the
 * harness's TCP systems, the integer `0` for Maelstrom nodes (Maelstrom's
 * lin-kv sends integers, and many nodes assume them). 0 and "0" are different keys.
 */
export type RegisterKey = string | number;
export type KeyStyle = 'string' | 'integer';

export interface RegisterOp {
  f: Exclude<OpFunction, 'append'>;
  key: RegisterKey;
  /** write: the value; cas: [from, to]; read: null. */
  value: Value | [Value, Value];
  /**
   * Set on drawn writes and cas: the run picks the values when it invokes
   * them (see FreshValues), and a recorded schedule holds the values picked.
   * `'last'`: a cas from the value last seen on its key (it usually
   * succeeds); `'older'`: from one seen before that (it usually fails).
   */
  fresh?: true | 'last' | 'older';
  /** Pause before invoking, ms: spreads a slot's operations to meet --rate. */
  delayMs: number;
  /**
   * When set, invoke no earlier than this many ms after the workload started
   * (instead of after `delayMs`). A run records the moment each operation
   * was invoked here, so a recorded schedule replays its timing, and taking
   * one operation out of it moves no other.
   */
  atMs?: number;
}

export interface ScheduleOptions {
  seed: number;
  concurrency: number;
  keys: number;
  /** Total operations per second across all clients. */
  rate: number;
  /** Default 'string'. */
  keyStyle?: KeyStyle;
}

/**
 * The values a run writes. Every write and every cas's new value is a value
 * never written before in the run (1, 2, 3, ...), as in Jepsen's register
 * tests, so a read names the one write it saw and a stale or diverged read
 * cannot hide behind another write of the same value. A cas names a value
 * the run saw on its key (the last one, or an older one), so some succeed
 * and some fail, as they should.
 */
export class FreshValues {
  private next = 1;
  private readonly seen = new Map<RegisterKey, Value[]>();

  /** Fills in a drawn operation's values (in place: the run records the copy it invokes). */
  fill(op: RegisterOp): void {
    if (op.fresh === undefined) return;
    if (op.f === 'write') op.value = this.next++;
    else if (op.f === 'cas') {
      const seen = this.seen.get(op.key) ?? [];
      const from = op.fresh === 'older' ? (seen[seen.length - 2] ?? seen[0] ?? null) : (seen[seen.length - 1] ?? null);
      op.value = [from, this.next++];
    }
    // Not `delete`: that turns the operation (kept in the run's schedule) into a dictionary, slow
    // to read and copy from then on; JSON (schedule.json) leaves an undefined field out all the same.
    op.fresh = undefined;
  }

  /** What an ok completion tells about its key's value. */
  observe(op: RegisterOp, value: Value | [Value, Value]): void {
    const v = op.f === 'cas' ? (op.value as [Value, Value])[1] : op.f === 'write' ? (op.value as Value) : (value as Value);
    if (v === null) return;
    const seen = this.seen.get(op.key) ?? [];
    if (seen[seen.length - 1] === v) return;
    seen.push(v);
    if (seen.length > 4) seen.shift();
    this.seen.set(op.key, seen);
  }
}

/** The i-th key, in the system's style. */
export function registerKey(i: number, style: KeyStyle = 'string'): RegisterKey {
  return style === 'integer' ? i : `k${i}`;
}

// ---- generator ---------------------------------------------------------------

export function registerOpArbitrary(keys: number, meanDelayMs: number, keyStyle: KeyStyle = 'string'): fc.Arbitrary<RegisterOp> {
  const key = fc.integer({ min: 0, max: keys - 1 }).map((i) => registerKey(i, keyStyle));
  const delayMs = fc.integer({ min: 0, max: Math.max(0, Math.round(2 * meanDelayMs)) });
  // Values are picked when the operation is invoked (FreshValues); until then they are null.
  // Each kind is drawn as fc.record draws it (its fields in order, then a boolean choosing a null
  // prototype), into a plain object: V8 keeps a null-prototype object as a dictionary, slow to copy and read.
  const read = fc.tuple(fc.constant('read' as const), key, fc.constant(null), delayMs, fc.boolean()).map(([f, key, value, delayMs]): RegisterOp => ({ f, key, value, delayMs }));
  const write = fc
    .tuple(fc.constant('write' as const), key, fc.constant(null), fc.constant(true as const), delayMs, fc.boolean())
    .map(([f, key, value, fresh, delayMs]): RegisterOp => ({ f, key, value, fresh, delayMs }));
  const cas = fc
    .tuple(fc.constant('cas' as const), key, fc.constant([null, null] as [Value, Value]), fc.constantFrom('last' as const, 'last' as const, 'last' as const, 'older' as const), delayMs, fc.boolean())
    .map(([f, key, value, fresh, delayMs]): RegisterOp => ({ f, key, value, fresh, delayMs }));
  return fc.oneof({ weight: 4, arbitrary: read }, { weight: 4, arbitrary: write }, { weight: 2, arbitrary: cas });
}

const CAS_FROM = ['last', 'last', 'last', 'older'] as const;

/**
 * registerOpArbitrary's operations, drawn as it draws them (the same calls
 * on the same random generator, in the same order), without its layers of
 * oneof, tuple, map and record: a run draws about a thousand operations,
 * and those layers cost more than the run's checker. It cannot shrink
 * (schedules shrink as data, harness/sim/shrink.ts); property tests take
 * registerOpArbitrary. The draws, in the order registerOpArbitrary makes them:
 * - oneof: an integer in [0, 9] (weights 4, 4, 2; a top-level oneof without
 *   maxDepth starts at 0), which picks read, write or cas;
 * - the tuple's fields in order: the key (fc.integer, biased as the stream
 *   says), the cas's origin (constantFrom of four: an integer in [0, 3]; the
 *   other constants draw nothing), the delay (fc.integer, biased alike);
 * - fc.record's boolean for a null prototype (fc.boolean: unbiased, [0, 1]).
 */
class RegisterOpDraws extends fc.Arbitrary<RegisterOp> {
  private readonly key: fc.Arbitrary<number>;
  private readonly delayMs: fc.Arbitrary<number>;

  constructor(
    keys: number,
    meanDelayMs: number,
    private readonly keyStyle: KeyStyle,
  ) {
    super();
    this.key = fc.integer({ min: 0, max: keys - 1 });
    this.delayMs = fc.integer({ min: 0, max: Math.max(0, Math.round(2 * meanDelayMs)) });
  }

  generate(mrng: fc.Random, biasFactor: number | undefined): fc.Value<RegisterOp> {
    const kind = mrng.nextInt(0, 9);
    const key = registerKey(this.key.generate(mrng, biasFactor).value, this.keyStyle);
    let op: RegisterOp;
    if (kind < 4) op = { f: 'read', key, value: null, delayMs: this.delayMs.generate(mrng, biasFactor).value };
    else if (kind < 8) op = { f: 'write', key, value: null, fresh: true, delayMs: this.delayMs.generate(mrng, biasFactor).value };
    else {
      const fresh = CAS_FROM[mrng.nextInt(0, 3)];
      op = { f: 'cas', key, value: [null, null], fresh, delayMs: this.delayMs.generate(mrng, biasFactor).value };
    }
    mrng.nextInt(0, 1); // fc.record's null-prototype boolean
    return new fc.Value(op, undefined);
  }

  canShrinkWithoutContext(_value: unknown): _value is RegisterOp {
    return false;
  }

  shrink(): fc.Stream<fc.Value<RegisterOp>> {
    return fc.Stream.nil();
  }
}

/**
 * One endless, lazily drawn operation stream per client slot: the same options
 * always give the same streams, however long the run (nothing is drawn ahead,
 * so a long run at a high rate costs no memory up front).
 */
export function registerSchedule(opts: ScheduleOptions): Iterator<RegisterOp>[] {
  const meanDelayMs = (1000 * opts.concurrency) / opts.rate;
  // No history: the run keeps what it takes (schedule.ts), and the stream would keep every operation again.
  const arb = fc.array(fc.infiniteStream(new RegisterOpDraws(opts.keys, meanDelayMs, opts.keyStyle ?? 'string'), { noHistory: true }), {
    minLength: opts.concurrency,
    maxLength: opts.concurrency,
  });
  return fc.sample(arb, { seed: opts.seed, numRuns: 1 })[0].map((stream) => stream[Symbol.iterator]());
}

/** The first `n` operations of each slot: for tests and for printing a schedule. */
export function scheduleHead(opts: ScheduleOptions, n: number): RegisterOp[][] {
  return registerSchedule(opts).map((it) => Array.from({ length: n }, () => it.next().value as RegisterOp));
}

// ---- client ------------------------------------------------------------------

export type Completion =
  | { type: 'ok'; value: Value | [Value, Value] }
  | { type: 'fail'; error: string }
  | { type: 'info'; error: string; unusable?: boolean };

export function requestBody(op: Pick<RegisterOp, 'f' | 'key' | 'value'>): Record<string, unknown> {
  switch (op.f) {
    case 'read':
      return { type: 'read', key: op.key };
    case 'write':
      return { type: 'write', key: op.key, value: op.value };
    case 'cas': {
      const [from, to] = op.value as [Value, Value];
      return { type: 'cas', key: op.key, from, to };
    }
  }
}

/**
 * How an outcome is recorded: the heart of "never cry wolf" on the client side.
 * A reply the harness cannot use (a read_ok whose value the checker would
 * refuse, a reply of the wrong type, an error without a numeric code) is
 * `info` with the reason, marked `unusable` so the run can count it: the
 * history stays one the checker accepts, and a garbled answer is never taken
 * for a value the system returned.
 */
export function classify(op: Pick<RegisterOp, 'f' | 'value'>, out: Outcome): Completion {
  if (out.kind === 'timeout') return { type: 'info', error: 'timeout' };
  if (out.kind === 'closed') {
    return out.sent ? { type: 'info', error: `connection lost: ${out.reason}` } : { type: 'fail', error: `not sent: ${out.reason}` };
  }
  const body = out.body;
  const expected = `${op.f}_ok`;
  if (body.type === expected) {
    if (op.f === 'read') {
      const v = body.value;
      if (v === undefined) return unusable('read_ok without a value');
      if (!isValue(v)) return unusable(`read_ok with value ${preview(v)}, not a number, string or null`);
      return { type: 'ok', value: v };
    }
    return { type: 'ok', value: op.value };
  }
  if (body.type === 'error') {
    if (typeof body.code !== 'number') return unusable(`error reply without a numeric code (code ${preview(body.code)})`);
    const code = body.code;
    const err = describeError(code);
    // A read of a key that was never written sees the register's initial state.
    if (op.f === 'read' && code === 20) return { type: 'ok', value: null };
    if (err.definite) return { type: 'fail', error: err.name };
    return { type: 'info', error: err.name };
  }
  return unusable(`unexpected reply type ${preview(body.type)} to ${op.f}`);
}

/** A reply the harness cannot use: info, marked so the run counts it. */
function unusable(error: string): Completion {
  return { type: 'info', error, unusable: true };
}

/** A reply's value as an error message quotes it: JSON (control bytes escaped), cut short. */
function preview(v: unknown, max = 60): string {
  const text = v === undefined ? 'undefined' : JSON.stringify(v);
  return text.length > max ? `${text.slice(0, max)}...` : text;
}

// ---- runner ------------------------------------------------------------------

export interface WorkloadStats {
  invoked: number;
  ok: number;
  fail: number;
  info: number;
  /** Replies the harness could not use (recorded as info, see classify), and the first one's reason. */
  unusable?: { count: number; example: string };
}

export interface RunWorkloadOptions {
  schedule: Iterator<RegisterOp>[];
  /** The system, whichever engine runs it: clients connect to its client nodes, time is its clock. */
  cluster: Pick<Cluster, 'clock' | 'connect'>;
  /** The client nodes, in the order slots are bound to them (slot i -> endpoints[i mod n]). */
  endpoints: string[];
  recorder: HistoryRecorder;
  /** Stop invoking after this many ms. */
  durationMs: number;
  opTimeoutMs: number;
  stats: WorkloadStats;
  /** First process id for fresh processes (slot i starts as process i). */
  nextProcess: { value: number };
  /** Ends the run early (e.g. Ctrl-C). */
  signal?: AbortSignal;
}

export interface ProcessState {
  id: number;
  endpoint: number;
  conn: ClientConnection | null;
}

export async function runWorkload(opts: RunWorkloadOptions): Promise<void> {
  const clock = opts.cluster.clock;
  const start = clock.now();
  const deadline = start + opts.durationMs;
  const values = new FreshValues();
  // As in Jepsen, a slot stays bound to one client node for the whole run, even
  // when that node fails it: split brains only show when both sides keep clients.
  const slots = opts.schedule.map((ops, slot) => runSlot(slot, ops));
  await Promise.all(slots);

  async function runSlot(slot: number, ops: Iterator<RegisterOp>): Promise<void> {
    const proc: ProcessState = { id: slot, endpoint: slot % opts.endpoints.length, conn: null };
    try {
      for (let next = ops.next(); !next.done; next = ops.next()) {
        const op = next.value;
        const pause = op.atMs === undefined ? op.delayMs : start + op.atMs - clock.now();
        const wait = Math.min(pause, deadline - clock.now());
        if (wait > 0) await clock.sleep(wait, opts.signal);
        if (clock.now() >= deadline || opts.signal?.aborted) return;
        op.atMs = clock.now() - start;
        values.fill(op);
        const done = await invoke(proc, op, opts);
        if (done.type === 'ok') values.observe(op, done.value);
        if (done.type === 'info') {
          // Retired: a fresh process takes the slot, on a fresh connection.
          proc.conn?.close();
          proc.conn = null;
          proc.id = opts.nextProcess.value++;
        }
      }
    } finally {
      proc.conn?.close();
    }
  }
}

/** One operation on one process: invoke, wait, record the completion. */
export async function invoke(proc: ProcessState, op: RegisterOp, opts: Pick<RunWorkloadOptions, 'cluster' | 'endpoints' | 'recorder' | 'opTimeoutMs' | 'stats'>): Promise<Completion> {
  const { recorder, stats } = opts;
  recorder.client(proc.id, 'invoke', op.f, op.key, op.f === 'read' ? null : op.value);
  stats.invoked++;
  let done: Completion;
  if (proc.conn === null || proc.conn.closed) {
    const conn = await opts.cluster.connect(opts.endpoints[proc.endpoint], opts.opTimeoutMs);
    if ('error' in conn) {
      done = classify(op, { kind: 'closed', sent: false, reason: conn.error });
    } else {
      proc.conn = conn;
      done = await conn.invoke(op, opts.opTimeoutMs);
    }
  } else {
    done = await proc.conn.invoke(op, opts.opTimeoutMs);
  }
  if (done.type === 'ok') {
    stats.ok++;
    recorder.client(proc.id, 'ok', op.f, op.key, done.value);
  } else {
    stats[done.type]++;
    if (done.type === 'info' && done.unusable) stats.unusable = { count: (stats.unusable?.count ?? 0) + 1, example: stats.unusable?.example ?? done.error };
    recorder.client(proc.id, done.type, op.f, op.key, op.f === 'read' ? null : op.value, done.error);
  }
  return done;
}

/**
 * The final phase: after the nemesis has healed everything, read every key
 * through every client node, a few times each, with fresh processes. Replicas
 * that silently diverged during a fault (the naive design's two write orders)
 * only show it when the same key is read through different paths after the
 * writes stop; one read per key would see one side and pass. An endpoint that
 * does not answer is skipped for the next one, as a client would.
 */
export async function finalReads(
  keys: number,
  opts: Pick<RunWorkloadOptions, 'cluster' | 'endpoints' | 'recorder' | 'opTimeoutMs' | 'stats' | 'nextProcess'> & { keyStyle?: KeyStyle },
  attemptsPerRead = 6,
  readsPerEndpoint = 3,
): Promise<{ read: number; of: number }> {
  const readKeys = new Set<number>();
  const readOnce = async (k: number, proc: ProcessState): Promise<boolean> => {
    for (let attempt = 0; attempt < attemptsPerRead; attempt++) {
      const done = await invoke(proc, { f: 'read', key: registerKey(k, opts.keyStyle), value: null, delayMs: 0 }, opts);
      if (done.type === 'ok') return true;
      proc.conn?.close();
      proc.conn = null;
      if (done.type === 'info') proc.id = opts.nextProcess.value++;
      proc.endpoint = (proc.endpoint + 1) % opts.endpoints.length;
      await opts.cluster.clock.sleep(200);
    }
    return false;
  };
  await Promise.all(
    Array.from({ length: keys }, (_, k) =>
      opts.endpoints.map(async (_endpoint, e) => {
        const proc: ProcessState = { id: opts.nextProcess.value++, endpoint: e, conn: null };
        try {
          for (let r = 0; r < readsPerEndpoint; r++) {
            if (!(await readOnce(k, proc))) return;
            readKeys.add(k);
          }
        } finally {
          proc.conn?.close();
        }
      }),
    ).flat(),
  );
  return { read: readKeys.size, of: keys };
}
