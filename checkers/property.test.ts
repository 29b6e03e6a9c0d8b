// The checker against a deliberately simple brute-force reference, on
// thousands of small random histories (several keys, cas, fail and info ops,
// ops that never complete, retired processes, equal timestamps); every
// counterexample closed and 1-minimal; closed sub-histories sound as evidence.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Closure } from './closure.ts';
import { reduceKey } from './reduce.ts';
import { checkOperationsSync, pairOperations, type HistoryEvent, type Operation, type Value } from './index.ts';

// ---------------------------------------------------------------------------
// Reference: try every order of every subset of the indeterminate ops. No
// keys split, no cache, no reductions: just the definition. An op must come
// after every op that returned strictly before it was invoked; `fail` ops did
// not happen; an `info` op may be left out (it did not happen) or placed
// anywhere after its invoke; an info cas that is placed compares as usual.
// ---------------------------------------------------------------------------
function referenceLinearizable(ops: Operation[], initial: Value): boolean {
  const live = ops.filter((o) => o.status !== 'fail');
  const n = live.length;
  const used = new Array<boolean>(n).fill(false);
  const skipped = new Array<boolean>(n).fill(false);
  const state = new Map<string, Value>();
  const get = (k: string): Value => (state.has(k) ? state.get(k)! : initial);
  const search = (placed: number): boolean => {
    if (placed === n) return true;
    for (let i = 0; i < n; i++) {
      if (used[i]) continue;
      const op = live[i];
      // Every op that returned before op was invoked must already be placed (or be a skipped info op, which never returns).
      if (live.some((o, j) => !used[j] && j !== i && o.return < op.call)) continue;
      const before = get(op.key);
      let ok = true;
      let after = before;
      if (op.f === 'read') ok = op.status !== 'ok' || op.output === before;
      else if (op.f === 'write') after = op.input as Value;
      else if (op.f === 'append') after = `${before ?? ''}${String(op.input)}`;
      else {
        const [from, to] = op.input as [Value, Value];
        if (before === from) after = to;
        else ok = op.status !== 'ok';
      }
      used[i] = true;
      if (ok) {
        state.set(op.key, after);
        if (search(placed + 1)) return true;
        state.set(op.key, before);
      }
      if (op.status === 'info') {
        // Leave it out: it did not happen.
        skipped[i] = true;
        if (search(placed + 1)) return true;
        skipped[i] = false;
      }
      used[i] = false;
    }
    return false;
  };
  return search(0);
}

// ---------------------------------------------------------------------------
// Random histories: a list of steps, each picks a client; an idle client
// invokes, a busy one completes (ok/fail/info, reads return a random value).
// An info completion retires the process; the client continues under a new id.
// ---------------------------------------------------------------------------
const valueArb = fc.constantFrom<Value>(null, 0, 1, 2);
type Step = { client: number; f: "read" | "write" | "cas"; key: string; v1: Value; v2: Value; type: "ok" | "fail" | "info"; dt: number };
const stepArb: fc.Arbitrary<Step> = fc.record({
  client: fc.integer({ min: 0, max: 3 }),
  f: fc.constantFrom('read', 'read', 'write', 'cas') as fc.Arbitrary<'read' | 'write' | 'cas'>,
  key: fc.constantFrom('a', 'b', 'c'),
  v1: valueArb,
  v2: valueArb,
  type: fc.constantFrom('ok', 'ok', 'ok', 'fail', 'info') as fc.Arbitrary<'ok' | 'fail' | 'info'>,
  dt: fc.integer({ min: 0, max: 2 }),
});

function buildHistory(steps: Step[], maxOps: number): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  const open = new Map<number, { f: 'read' | 'write' | 'cas'; key: string; value: Value | [Value, Value] }>();
  const processOf = [0, 1, 2, 3];
  let nextProcess = 4;
  let time = 0;
  let invokes = 0;
  for (const s of steps) {
    time += s.dt;
    const p = processOf[s.client];
    const pending = open.get(p);
    if (pending === undefined) {
      if (invokes >= maxOps) continue;
      const value: Value | [Value, Value] = s.f === 'read' ? null : s.f === 'write' ? s.v1 : [s.v1, s.v2];
      open.set(p, { f: s.f, key: s.key, value });
      events.push({ index: events.length, time, process: p, type: 'invoke', f: s.f, key: s.key, value });
      invokes++;
    } else {
      open.delete(p);
      const value = pending.f === 'read' ? (s.type === 'ok' ? s.v1 : null) : pending.value;
      events.push({ index: events.length, time, process: p, type: s.type, f: pending.f, key: pending.key, value });
      if (s.type === 'info') processOf[s.client] = nextProcess++;
    }
  }
  return events;
}

const historyArb = fc.array(stepArb, { minLength: 1, maxLength: 18 }).map((steps) => buildHistory(steps, 7));

// The closure rule of closure.ts, restated independently. M is closed in the
// key history H when every observer in M (an ok read, any cas) has in M every
// op of H that did not fail and wrote what it saw, except writes that began
// after it completed and writes that completed before some ok write or cas in
// M of the same value began, which itself completed before the observer began.
function isClosedRef(m: Operation[], keyOps: Operation[]): boolean {
  const wrote = (o: Operation): Value | undefined => (o.f === 'write' ? (o.input as Value) : o.f === 'cas' ? (o.input as [Value, Value])[1] : undefined);
  const saw = (o: Operation): Value | undefined => (o.f === 'read' ? (o.status === 'ok' ? o.output : undefined) : o.f === 'cas' ? (o.input as [Value, Value])[0] : undefined);
  return m.every((o) => {
    const seen = saw(o);
    if (seen === undefined) return true;
    return keyOps.every(
      (w) =>
        w === o ||
        w.status === 'fail' ||
        wrote(w) === undefined ||
        wrote(w) !== seen ||
        m.includes(w) ||
        o.return < w.call ||
        m.some((s) => s.status === 'ok' && wrote(s) === seen && w.return < s.call && s.return < o.call),
    );
  });
}

const seed = Number(process.env.PROPERTY_SEED ?? 20261127);

describe('checker agrees with the brute-force reference', () => {
  it('on thousands of random small histories', () => {
    const counts = { true: 0, false: 0 };
    fc.assert(
      fc.property(historyArb, fc.constantFrom<Value>(null, 0), (events, initial) => {
        const ops = pairOperations(events);
        const expected = referenceLinearizable(ops, initial);
        const result = checkOperationsSync(ops, { initialValue: initial, timeoutMs: 10_000 });
        counts[String(expected) as 'true' | 'false']++;
        expect(result.valid).toBe(expected);
      }),
      { seed, numRuns: 4000, verbose: 1 },
    );
    // The generator must exercise both verdicts, or the property says little.
    expect(counts.true).toBeGreaterThan(400);
    expect(counts.false).toBeGreaterThan(400);
  });

  it('every counterexample is non-linearizable, closed, and 1-minimal among closed sub-histories', () => {
    let failures = 0;
    let withStuck = 0;
    fc.assert(
      fc.property(historyArb, (events) => {
        const ops = pairOperations(events);
        const result = checkOperationsSync(ops, { timeoutMs: 10_000 });
        for (const f of result.failures) {
          failures++;
          const keyOps = ops.filter((o) => o.key === f.key);
          expect(f.minimalIsOneMinimal).toBe(true);
          expect(f.minimal.length).toBeGreaterThan(0);
          expect(f.minimal.every((o) => o.key === f.key && keyOps.includes(o))).toBe(true);
          expect(referenceLinearizable(f.minimal, null)).toBe(false);
          expect(isClosedRef(f.minimal, keyOps)).toBe(true);
          for (const drop of f.minimal) {
            const rest = f.minimal.filter((o) => o !== drop);
            if (isClosedRef(rest, keyOps)) expect(referenceLinearizable(rest, null)).toBe(true);
          }
          expect(f.explanation).toMatch(/\w/);
          expect(keyOps).toContain(f.stuck);
          if (f.minimal.includes(f.stuck)) withStuck++;
        }
      }),
      { seed: seed + 1, numRuns: 2000, verbose: 1 },
    );
    expect(failures).toBeGreaterThan(200);
    // Shrinking starts with the stuck op pinned; it is dropped only when removable.
    expect(withStuck).toBeGreaterThan(failures / 2);
  });

  it('a closed sub-history of a linearizable history is linearizable (why counterexamples are evidence)', () => {
    let nonLinearizable = 0;
    fc.assert(
      fc.property(historyArb, fc.array(fc.boolean(), { minLength: 7, maxLength: 7 }), (events, keep) => {
        const keyOps = pairOperations(events).filter((o) => o.key === 'a');
        const m = new Closure(keyOps).core(keyOps.filter((o, i) => keep[i] && o.status !== 'fail'));
        expect(isClosedRef(m, keyOps)).toBe(true);
        if (!referenceLinearizable(m, null)) {
          nonLinearizable++;
          expect(referenceLinearizable(keyOps, null)).toBe(false);
        }
      }),
      { seed: seed + 2, numRuns: 3000, verbose: 1 },
    );
    expect(nonLinearizable).toBeGreaterThan(100);
  });

  it('a key\'s reduced ops are already closed (minimize starts from them without core())', () => {
    let rule3Dropped = 0;
    fc.assert(
      fc.property(historyArb, (events) => {
        const keyOps = pairOperations(events).filter((o) => o.key === 'a');
        const reduced = reduceKey(keyOps);
        expect(new Closure(keyOps).core(reduced)).toEqual(reduced);
        expect(isClosedRef(reduced, keyOps)).toBe(true);
        if (reduced.length < keyOps.filter((o) => o.status !== 'fail' && !(o.f === 'read' && o.status !== 'ok')).length) rule3Dropped++;
      }),
      { seed: seed + 4, numRuns: 3000, verbose: 1 },
    );
    // Rule 3 dropped info writes in many of them.
    expect(rule3Dropped).toBeGreaterThan(100);
  });

  it('withWriters adds to a set the writers its observers may have seen: a closed superset (shrinking\'s first cuts)', () => {
    fc.assert(
      fc.property(historyArb, fc.array(fc.boolean(), { minLength: 7, maxLength: 7 }), (events, keep) => {
        const keyOps = pairOperations(events).filter((o) => o.key === 'a');
        const chosen = keyOps.filter((o, i) => keep[i] && o.status !== 'fail');
        const m = new Closure(keyOps).withWriters(chosen);
        expect(isClosedRef(m, keyOps)).toBe(true);
        for (const o of chosen) expect(m).toContain(o);
      }),
      { seed: seed + 3, numRuns: 3000, verbose: 1 },
    );
  });
});
