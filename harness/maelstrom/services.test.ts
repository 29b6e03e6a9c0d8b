// The services' semantics, each as Maelstrom documents it: lin-kv behaves as
// one register per key; seq-kv serves reads from the past but never further
// back than the asking node has seen, and applies updates in one order to the
// latest state; lww-kv loses the order and converges by gossip; lin-tso
// counts. Pure state machines on a seeded random, so these are properties.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../toxiproxy/index.ts';
import { createService, jsonEqual, type Body, type ReplyBody } from './services.ts';

type Op = { src: string; body: Body };

const key = fc.integer({ min: 0, max: 2 });
const value = fc.integer({ min: 0, max: 3 });
const src = fc.constantFrom('n1', 'n2', 'n3');
const kvOp: fc.Arbitrary<Op> = fc.record({
  src,
  body: fc.oneof(
    fc.record({ type: fc.constant('read'), key }),
    fc.record({ type: fc.constant('write'), key, value }),
    fc.record({ type: fc.constant('cas'), key, from: value, to: value, create_if_not_exists: fc.boolean() }),
  ),
});

/** The register semantics written out once more, independently: what lin-kv must answer. */
function reference(state: Map<number, number>, body: Body): ReplyBody {
  const k = body.key as number;
  if (body.type === 'read') return state.has(k) ? { type: 'read_ok', value: state.get(k) } : { type: 'error', code: 20 };
  if (body.type === 'write') {
    state.set(k, body.value as number);
    return { type: 'write_ok' };
  }
  if (!state.has(k)) {
    if (body.create_if_not_exists !== true) return { type: 'error', code: 20 };
    state.set(k, body.to as number);
    return { type: 'cas_ok' };
  }
  if (state.get(k) !== body.from) return { type: 'error', code: 22 };
  state.set(k, body.to as number);
  return { type: 'cas_ok' };
}

const sameMap = (a: Map<number, number>, b: Map<number, number>) => a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
const shape = (r: ReplyBody) => (r.type === 'error' ? { type: r.type, code: r.code } : r);

describe('lin-kv', () => {
  it('answers every request as one atomic register per key would', () => {
    fc.assert(
      fc.property(fc.array(kvOp, { maxLength: 60 }), fc.integer(), (ops, seed) => {
        const service = createService('lin-kv', seededRandom(seed));
        const model = new Map<number, number>();
        for (const op of ops) expect(shape(service.handle(op.src, op.body))).toEqual(reference(model, op.body));
      }),
      { seed: 11, numRuns: 200 },
    );
  });

  it('keeps 1 and "1" apart, compares values as JSON, and rejects what it does not know', () => {
    const s = createService('lin-kv', seededRandom(1));
    s.handle('n1', { type: 'write', key: 1, value: { a: [1, 2], b: null } });
    expect(s.handle('n1', { type: 'read', key: '1' })).toMatchObject({ type: 'error', code: 20 });
    expect(s.handle('n1', { type: 'cas', key: 1, from: { b: null, a: [1, 2] }, to: 7 })).toEqual({ type: 'cas_ok' });
    expect(s.handle('n1', { type: 'read', key: 1 })).toEqual({ type: 'read_ok', value: 7 });
    expect(s.handle('n1', { type: 'delete', key: 1 })).toMatchObject({ type: 'error', code: 10 });
    expect(s.handle('n1', { type: 'write', value: 3 })).toMatchObject({ type: 'error', code: 12 });
    expect(jsonEqual([1, { x: 2 }], [1, { x: 2 }])).toBe(true);
    expect(jsonEqual([1, 2], { 0: 1, 1: 2 })).toBe(false);
  });
});

describe('seq-kv', () => {
  /**
   * Checks a run against sequential consistency as Maelstrom's seq-kv gives
   * it: updates take effect in arrival order on the latest state; each node's
   * reads see some state no older than the last it observed, no newer than the
   * latest. Returns how many reads were stale (older than the latest state).
   */
  function checkSequential(ops: Op[], seed: number): number {
    const service = createService('seq-kv', seededRandom(seed));
    const states: Array<Map<number, number>> = [new Map()];
    const floor = new Map<string, number>();
    let stale = 0;
    /** What `op` answers on state i, if it leaves that state as it was (else null). */
    const unchangedReply = (i: number, op: Op): ReplyBody | null => {
      const copy = new Map(states[i]);
      const reply = reference(copy, op.body);
      return sameMap(copy, states[i]) ? shape(reply) : null;
    };
    for (const op of ops) {
      const reply = shape(service.handle(op.src, op.body));
      const latest = new Map(states[states.length - 1]);
      const asUpdate = shape(reference(latest, op.body));
      if (!sameMap(latest, states[states.length - 1]) && jsonEqual(reply, asUpdate)) {
        // An update: applied to the latest state, after everything; the node has now seen it.
        states.push(latest);
        floor.set(op.src, states.length - 1);
        continue;
      }
      // Otherwise it changed nothing, on some state from the node's floor to the latest.
      const from = floor.get(op.src) ?? 0;
      const candidates = states.map((_, i) => i).filter((i) => i >= from && jsonEqual(unchangedReply(i, op), reply));
      expect(candidates.length, `${JSON.stringify(op)} -> ${JSON.stringify(reply)}`).toBeGreaterThan(0);
      if (!candidates.includes(states.length - 1)) stale++;
      floor.set(op.src, candidates[0]);
    }
    return stale;
  }

  it('is sequentially consistent: updates in one order on the latest state, reads stale but monotonic per node', () => {
    fc.assert(
      fc.property(fc.array(kvOp, { maxLength: 60 }), fc.integer(), (ops, seed) => {
        checkSequential(ops, seed);
      }),
      { seed: 12, numRuns: 200 },
    );
  });

  it('does serve stale reads (else it would be lin-kv), never older than what the node itself saw', () => {
    const ops: Op[] = [];
    for (let i = 0; i < 40; i++) ops.push({ src: 'n1', body: { type: 'write', key: 0, value: i % 4 } }, { src: 'n2', body: { type: 'read', key: 0 } });
    expect(checkSequential(ops, 3)).toBeGreaterThan(0);
    // A node's own write is never hidden from it.
    const s = createService('seq-kv', seededRandom(4));
    for (let i = 0; i < 30; i++) {
      s.handle('n1', { type: 'write', key: 0, value: i });
      expect(s.handle('n1', { type: 'read', key: 0 })).toEqual({ type: 'read_ok', value: i });
    }
  });
});

describe('lww-kv', () => {
  it('may hide an acknowledged write from the next read, and converges once writes stop', () => {
    const s = createService('lww-kv', seededRandom(5));
    let hidden = 0;
    for (let i = 1; i <= 30; i++) {
      expect(s.handle('n1', { type: 'write', key: 0, value: i })).toEqual({ type: 'write_ok' });
      const r = s.handle('n2', { type: 'read', key: 0 });
      if (!(r.type === 'read_ok' && r.value === i)) hidden++;
    }
    expect(hidden).toBeGreaterThan(0);
    // Gossip (a merge before every request) spreads the last write to every replica.
    const reads = Array.from({ length: 200 }, () => s.handle('n3', { type: 'read', key: 0 }));
    expect(reads.slice(-20).every((r) => r.type === 'read_ok' && r.value === 30)).toBe(true);
  });
});

describe('lin-tso', () => {
  it('hands out 0, 1, 2, ... to whoever asks', () => {
    const s = createService('lin-tso', seededRandom(6));
    expect(['n1', 'n2', 'n1', 'n3'].map((n) => s.handle(n, { type: 'ts' }))).toEqual([0, 1, 2, 3].map((ts) => ({ type: 'ts_ok', ts })));
    expect(s.handle('n1', { type: 'read', key: 0 })).toMatchObject({ type: 'error', code: 10 });
  });
});
