// Maelstrom's services (its doc/services.md) as pure state machines: a node
// addresses `lin-kv`, `seq-kv`, `lww-kv` or `lin-tso` like any other node and
// gets a reply. No I/O here (serviceServer.ts hosts them on the network); the
// only nondeterminism is the injected `random`, seeded by the run.
//
// Semantics, each as weak as Maelstrom documents and no weaker, so a node
// that is correct only by luck against a strict store is caught here too:
// - lin-kv: one store, each request applied atomically in arrival order.
// - seq-kv: sequentially consistent. All updates apply, in one total order, to
//   the latest state; a request that changes nothing (a read, a failing cas)
//   may see any of the last BUFFER states, but never one older than what the
//   same client (the requesting node) already saw: stale, yet monotonic.
// - lww-kv: REPLICAS independent replicas, each answering on its own and
//   stamping writes with its Lamport clock; before each request one random
//   replica merges into another (higher stamp wins, then the larger value).
//   Eventually consistent, and reads may go backwards.
// - lin-tso: a linearizable timestamp oracle, 0, 1, 2, ...

export type Body = { type?: unknown; msg_id?: unknown; [field: string]: unknown };
export type ReplyBody = { type: string; [field: string]: unknown };

export interface Service {
  /** Handles one request from node `src`; the reply body, without in_reply_to. */
  handle(src: string, body: Body): ReplyBody;
}

export type ServiceName = 'lin-kv' | 'seq-kv' | 'lww-kv' | 'lin-tso';

/** Past states a seq-kv read may observe (Maelstrom's default). */
export const SEQ_KV_BUFFER = 32;
/** Replicas behind lww-kv (Maelstrom's default). */
export const LWW_KV_REPLICAS = 5;

export function createService(name: ServiceName, random: () => number): Service {
  switch (name) {
    case 'lin-kv':
      return linearizable(kvStep, new Map());
    case 'seq-kv':
      return sequential(kvStep, new Map(), random);
    case 'lww-kv':
      return lastWriteWins(random);
    case 'lin-tso':
      return linearizable(tsoStep, 0);
  }
}

/**
 * One request against an immutable state: the next state (the same object
 * when nothing changed, which is what lets seq-kv serve it from the past)
 * and the reply.
 */
type Step<S> = (state: S, body: Body) => [S, ReplyBody];

const notSupported = (body: Body): ReplyBody => ({ type: 'error', code: 10, text: `unsupported request type ${JSON.stringify(body.type)}` });
const malformed = (text: string): ReplyBody => ({ type: 'error', code: 12, text });
const missing: ReplyBody = { type: 'error', code: 20, text: 'key does not exist' };

// ---- the key-value store ----------------------------------------------------

/** Keys as Maelstrom compares them: by JSON value (1 and "1" are different keys). */
type KvState = ReadonlyMap<string, unknown>;

const kvStep: Step<KvState> = (m, body) => {
  if (!('key' in body)) return [m, body.type === 'read' || body.type === 'write' || body.type === 'cas' ? malformed(`${String(body.type)} needs a key`) : notSupported(body)];
  const k = JSON.stringify(body.key);
  switch (body.type) {
    case 'read':
      return [m, m.has(k) ? { type: 'read_ok', value: m.get(k) } : missing];
    case 'write':
      if (!('value' in body)) return [m, malformed('write needs a value')];
      return [new Map(m).set(k, body.value), { type: 'write_ok' }];
    case 'cas': {
      if (!('from' in body) || !('to' in body)) return [m, malformed('cas needs from and to')];
      if (!m.has(k)) {
        return body.create_if_not_exists === true ? [new Map(m).set(k, body.to), { type: 'cas_ok' }] : [m, missing];
      }
      if (!jsonEqual(m.get(k), body.from)) {
        return [m, { type: 'error', code: 22, text: `current value ${JSON.stringify(m.get(k))} is not ${JSON.stringify(body.from)}` }];
      }
      return [new Map(m).set(k, body.to), { type: 'cas_ok' }];
    }
    default:
      return [m, notSupported(body)];
  }
};

const tsoStep: Step<number> = (next, body) => (body.type === 'ts' ? [next + 1, { type: 'ts_ok', ts: next }] : [next, notSupported(body)]);

// ---- consistency wrappers ---------------------------------------------------

function linearizable<S>(step: Step<S>, initial: S): Service {
  let state = initial;
  return {
    handle(_src, body) {
      const [next, reply] = step(state, body);
      state = next;
      return reply;
    },
  };
}

function sequential<S>(step: Step<S>, initial: S, random: () => number): Service {
  // states[i] is the state after update `first + i`; the last one is current.
  const states: S[] = [initial];
  let first = 0;
  const seen = new Map<string, number>();
  return {
    handle(src, body) {
      const last = first + states.length - 1;
      const floor = Math.max(first, seen.get(src) ?? 0);
      const index = floor + Math.floor(random() * (last - floor + 1));
      const [past, reply] = step(states[index - first], body);
      if (past === states[index - first]) {
        seen.set(src, index);
        return reply;
      }
      // It changes the state: it must go after everything, on the current state.
      const [next, current] = step(states[states.length - 1], body);
      if (next !== states[states.length - 1]) {
        states.push(next);
        if (states.length > SEQ_KV_BUFFER) {
          states.shift();
          first++;
        }
      }
      seen.set(src, first + states.length - 1);
      return current;
    },
  };
}

interface Stamped {
  ts: number;
  value: unknown;
}

interface LwwReplica {
  clock: number;
  m: Map<string, Stamped>;
}

function lastWriteWins(random: () => number): Service {
  const replicas: LwwReplica[] = Array.from({ length: LWW_KV_REPLICAS }, () => ({ clock: 0, m: new Map() }));
  const pick = () => replicas[Math.floor(random() * replicas.length)];
  return {
    handle(_src, body) {
      merge(pick(), pick());
      const r = pick();
      // The plain store decides the reply; the replica keeps a stamp beside each value.
      const plain: KvState = new Map([...r.m].map(([k, s]) => [k, s.value]));
      const [next, reply] = kvStep(plain, body);
      if (next !== plain) {
        // An update changes exactly the request's key.
        const k = JSON.stringify(body.key);
        r.m.set(k, { ts: r.clock, value: next.get(k) });
        r.clock++;
      }
      return reply;
    },
  };
}

/** Gossip: `into` takes whatever `from` holds with a higher stamp (ties: the larger value, as Maelstrom does). */
function merge(from: LwwReplica, into: LwwReplica): void {
  if (from === into) return;
  into.clock = Math.max(into.clock, from.clock);
  for (const [k, theirs] of from.m) {
    const ours = into.m.get(k);
    if (ours === undefined || theirs.ts > ours.ts || (theirs.ts === ours.ts && compare(theirs.value, ours.value) > 0)) into.m.set(k, theirs);
  }
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Equality of JSON values, object fields in any order (Clojure's `=` on parsed JSON). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((x, i) => jsonEqual(x, (b as unknown[])[i]));
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => k in b && jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
