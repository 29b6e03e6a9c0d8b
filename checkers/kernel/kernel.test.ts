// The search kernel (search.as.ts, WebAssembly) against the JavaScript walk
// it was compiled from: step for step the same algorithm, so the same
// outcome, the same longest prefix and the same stuck op, on every history.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileKernel } from '../../scripts/kernel.ts';
import { generateHistory } from '../generate.ts';
import { pairOperations } from '../pairing.ts';
import { reduceKey } from '../reduce.ts';
import { KeySearch, newBudget, type SearchOutcome, type WalkEngine } from '../search.ts';
import type { Operation, Value } from '../types.ts';
import { SEARCH_WASM_BASE64 } from './searchWasm.ts';

/** An outcome as plain data: op ids instead of objects. */
function plain(o: SearchOutcome | null): unknown {
  if (o === null || o.result !== 'illegal') return o;
  return { result: 'illegal', stuck: o.stuck.id, prefix: o.prefix.map((s) => [s.op.id, s.before, s.after]) };
}

function search(ops: Operation[], engine: WalkEngine, options: { initial?: Value; trackPrefix?: boolean; maxCacheBytes?: number; pauseEveryStep?: boolean } = {}): unknown {
  const s = new KeySearch(ops, options.initial ?? null, newBudget(60_000, options.maxCacheBytes), options.trackPrefix ?? true, engine);
  if (!options.pauseEveryStep) return plain(s.run(Infinity));
  let outcome = s.run(-Infinity);
  while (outcome === null) outcome = s.run(-Infinity);
  return plain(outcome);
}

const seed = Number(process.env.PROPERTY_SEED ?? 20261202);

describe('search kernel', () => {
  it('the committed module is the build of search.as.ts (npm run kernel rebuilds it)', () => {
    expect(compileKernel().toString('base64')).toBe(SEARCH_WASM_BASE64);
  });

  // Small registers with few values: the cache's equal-set, different-state cases and every kind of op.
  const valueArb = fc.constantFrom<Value>(null, 0, 1, 2);
  const opArb = fc.record({
    f: fc.constantFrom('read', 'write', 'cas'),
    status: fc.constantFrom('ok', 'ok', 'ok', 'info'),
    a: valueArb,
    b: valueArb,
    call: fc.integer({ min: 0, max: 40 }),
    length: fc.integer({ min: 0, max: 12 }),
  });
  const opsArb = fc.array(opArb, { minLength: 0, maxLength: 24 }).map((specs) =>
    specs.map((s, id): Operation => {
      const info = s.status === 'info';
      const input = s.f === 'write' ? s.a : s.f === 'cas' ? [s.a, s.b] : null;
      return {
        id,
        process: id,
        key: 'k',
        f: s.f as Operation['f'],
        input: input as Operation['input'],
        output: s.f === 'read' ? s.a : null,
        status: info ? 'info' : 'ok',
        call: s.call,
        return: info ? Infinity : s.call + s.length,
        invokeIndex: 2 * id,
        completeIndex: info ? null : 2 * id + 1,
      } as Operation;
    }),
  );

  it('agrees with the JavaScript walk on random histories: outcome, prefix and stuck op', () => {
    fc.assert(
      fc.property(opsArb, valueArb, fc.boolean(), (ops, initial, trackPrefix) => {
        expect(search(ops, 'kernel', { initial, trackPrefix })).toEqual(search(ops, 'js', { initial, trackPrefix }));
      }),
      { seed, numRuns: 3000, verbose: 1 },
    );
  });

  it.each([
    { seed: 1, violate: false },
    { seed: 2, violate: true },
    { seed: 3, violate: true },
  ])('agrees on 600 concurrent ops with 10% indeterminate, paused at every step budget: %j', ({ seed: s, violate }) => {
    const ops = reduceKey(pairOperations(generateHistory({ ops: 600, keys: 1, clients: 8, seed: s, infoRate: 0.1, violate }).events));
    const js = search(ops, 'js');
    expect(search(ops, 'kernel')).toEqual(js);
    expect(search(ops, 'kernel', { pauseEveryStep: true })).toEqual(js);
    expect((js as { result: string }).result).toBe(violate ? 'illegal' : 'ok');
  });

  it('agrees where returns are far out of call order (the merge-sort path)', () => {
    // 3,000 writes all invoked before any returns, returning in reverse (nesting far past the insertion
    // sort's limit), then a read of the last one invoked.
    const n = 3000;
    const ops: Operation[] = Array.from({ length: n }, (_, id) => ({
      id,
      process: id,
      key: 'k',
      f: 'write',
      input: id,
      output: null,
      status: 'ok',
      call: id,
      return: 2 * n - id,
      invokeIndex: id,
      completeIndex: 2 * n - id,
    }) as Operation);
    ops.push({ id: n, process: n, key: 'k', f: 'read', input: null, output: n - 1, status: 'ok', call: 2 * n + 1, return: 2 * n + 2, invokeIndex: 2 * n + 1, completeIndex: 2 * n + 2 } as Operation);
    const js = search(ops, 'js');
    expect(js).toEqual({ result: 'ok' });
    expect(search(ops, 'kernel')).toEqual(js);
  });

  it('runs out of budget as the JavaScript walk does: unknown (memory)', () => {
    const ops = reduceKey(pairOperations(generateHistory({ ops: 3000, keys: 1, clients: 20, seed: 7, infoRate: 0.3 }).events));
    expect(search(ops, 'kernel', { maxCacheBytes: 256 * 1024 })).toEqual({ result: 'unknown', reason: 'memory' });
  });

  it('a search released while paused starts over and ends as one run to the end does', () => {
    const ops = reduceKey(pairOperations(generateHistory({ ops: 600, keys: 1, clients: 8, seed: 2, infoRate: 0.1, violate: true }).events));
    const budget = newBudget(60_000);
    const s = new KeySearch(ops, null, budget, true, 'kernel');
    expect(s.run(-Infinity)).toBeNull();
    expect(budget.usedCacheWords).toBeGreaterThan(0);
    s.release();
    expect(budget.usedCacheWords).toBe(0);
    expect(plain(s.run(Infinity))).toEqual(search(ops, 'js'));
    expect(budget.usedCacheWords).toBe(0); // an outcome gives its cache back
  });
});
