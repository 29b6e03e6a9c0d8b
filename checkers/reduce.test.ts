// The reductions: what they drop, what they must keep, and the case they exist
// for (indeterminate writes on one busy key; soundness is covered by the
// brute-force property in property.test.ts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateHistory } from './generate.ts';
import { checkOperationsSync, pairOperations, type Operation, type Value } from './index.ts';
import { ValueTable } from './model.ts';
import { reduceKey } from './reduce.ts';

let nextId = 0;
function op(f: Operation['f'], status: Operation['status'], call: number, ret: number, input: Operation['input'], output: Value = null): Operation {
  const id = nextId++;
  return { id, process: id, f, key: 'x', input, output, status, call, return: status === 'info' ? Infinity : ret, invokeIndex: id, completeIndex: null };
}

describe.each(['kernel', 'js'] as const)('reduceKey, rule 3 in %s', (engine) => {
  it('drops an info write nothing observes, keeps one a later read observes', () => {
    const unobserved = op('write', 'info', 0, 0, 7);
    const observed = op('write', 'info', 0, 0, 8);
    const read = op('read', 'ok', 5, 6, null, 8);
    expect(reduceKey([unobserved, observed, read], new ValueTable(), engine)).toEqual([observed, read]);
  });

  it('keeps an info write observed by a read returning exactly at its invoke (closed intervals)', () => {
    const late = op('write', 'info', 3, 0, 3);
    const read = op('read', 'ok', 2, 3, null, 3);
    expect(reduceKey([read, late], new ValueTable(), engine)).toEqual([read, late]);
  });

  it('iterates: dropping an info cas can orphan the write its from expected', () => {
    const w = op('write', 'info', 0, 0, 1);
    const c = op('cas', 'info', 1, 0, [1, 2]);
    expect(reduceKey([w, c], new ValueTable(), engine)).toEqual([]);
  });
});

describe('rule 3 in the kernel', () => {
  const seed = Number(process.env.PROPERTY_SEED ?? 20261202);
  // Few values (so ops observe each other's), times with ties, every status; one table across
  // histories, as a check shares one across keys, so stale entries of earlier keys would show.
  const opArb = fc.record({
    f: fc.constantFrom<Operation['f']>('read', 'write', 'cas'),
    status: fc.constantFrom<Operation['status']>('ok', 'info', 'info', 'fail'),
    call: fc.integer({ min: 0, max: 40 }),
    length: fc.integer({ min: 0, max: 10 }),
    a: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constant(null), fc.constantFrom('x', 'y', 5e9)),
    b: fc.integer({ min: 0, max: 5 }),
  });
  it('keeps what the JavaScript rule keeps, in order', () => {
    const shared = { kernel: new ValueTable(), js: new ValueTable() };
    let dropping = 0;
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), (specs) => {
        const ops = specs.map((s) => {
          const input = s.f === 'read' ? null : s.f === 'cas' ? ([s.a, s.b] as [Value, Value]) : s.a;
          return op(s.f, s.status, s.call * 1e9, (s.call + s.length) * 1e9, input, s.f === 'read' ? s.a : null);
        });
        const js = reduceKey(ops, shared.js, 'js');
        expect(reduceKey(ops, shared.kernel, 'kernel')).toEqual(js);
        expect(reduceKey(ops, new ValueTable(), 'kernel')).toEqual(js);
        if (js.length < ops.filter((o) => o.status !== 'fail' && !(o.f === 'read' && o.status !== 'ok')).length) dropping++;
      }),
      { seed, numRuns: 3000, verbose: 1 },
    );
    // Rule 3 had something to drop in many of them.
    expect(dropping).toBeGreaterThan(300);
  });
});

describe('reduceKey', () => {
  it('drops fail ops and info reads', () => {
    const ops = [op('write', 'fail', 0, 1, 1), op('read', 'info', 0, 0, null), op('read', 'ok', 2, 3, null, null)];
    expect(reduceKey(ops)).toEqual([ops[2]]);
  });

  it('drops an info write nothing observes, keeps one a later read observes', () => {
    const unobserved = op('write', 'info', 0, 0, 7);
    const observed = op('write', 'info', 0, 0, 8);
    const read = op('read', 'ok', 5, 6, null, 8);
    expect(reduceKey([unobserved, observed, read])).toEqual([observed, read]);
  });

  it('drops an info write whose value was only read before it was invoked', () => {
    const write = op('write', 'ok', 0, 1, 3);
    const read = op('read', 'ok', 2, 3, null, 3);
    const late = op('write', 'info', 4, 0, 3);
    expect(reduceKey([write, read, late])).toEqual([write, read]);
  });

  it('keeps an info write observed by a read returning exactly at its invoke (closed intervals)', () => {
    const late = op('write', 'info', 3, 0, 3);
    const read = op('read', 'ok', 2, 3, null, 3);
    expect(reduceKey([read, late])).toEqual([read, late]);
  });

  it('iterates: dropping an info cas can orphan the write its from expected', () => {
    const w = op('write', 'info', 0, 0, 1);
    const c = op('cas', 'info', 1, 0, [1, 2]);
    expect(reduceKey([w, c])).toEqual([]);
  });

  it('leaves append keys alone (appended values live on in later values)', () => {
    const ops = [op('append', 'info', 0, 0, 'a'), op('read', 'ok', 1, 2, null, 'ab')];
    expect(reduceKey(ops)).toEqual(ops);
  });
});

describe('indeterminate writes on one busy key (where Porcupine gives up)', () => {
  it.each([0.02, 0.05])('2,000 ops, %f info writes, one injected violation: decided, not unknown', (infoRate) => {
    const { events, violated } = generateHistory({ ops: 2000, keys: 1, clients: 10, seed: 1, infoRate, violate: true });
    expect(violated).toBe(true);
    const ops = pairOperations(events);
    expect(ops.filter((o) => o.status === 'info').length).toBeGreaterThan(15);
    const result = checkOperationsSync(ops, { timeoutMs: 30_000, explain: false });
    expect(result.valid).toBe(false);
  });
});
