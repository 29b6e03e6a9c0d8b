// Search limits and large generated histories (verdicts known by construction).
import { describe, expect, it } from 'vitest';
import { generateHistory } from './generate.ts';
import { checkOperationsSync, pairOperations } from './index.ts';
import { reduceKey } from './reduce.ts';
import { KeySearch, newBudget, searchKey, type SearchBudget } from './search.ts';

describe('large generated histories', () => {
  it.each([
    { seed: 11, infoRate: 0.02, violate: false },
    { seed: 12, infoRate: 0.02, violate: true },
    { seed: 13, infoRate: 0, violate: true },
  ])('50,000 ops, 64 keys, 20 clients: %j', ({ seed, infoRate, violate }) => {
    const { events, violated } = generateHistory({ ops: 50_000, keys: 64, clients: 20, seed, infoRate, violate });
    expect(violated).toBe(violate);
    const ops = pairOperations(events);
    expect(ops).toHaveLength(50_000);
    const result = checkOperationsSync(ops, { timeoutMs: 60_000 });
    expect(result.valid).toBe(!violate);
    expect(result.keys).toBe(64);
    if (violate) {
      expect(result.failures).toHaveLength(1);
      expect(result.failures[0].explanation).toMatch(/acknowledged at [\d.]+ s, before the read began at [\d.]+ s/);
    }
  });
});

describe('limits degrade to unknown', () => {
  const hard = pairOperations(generateHistory({ ops: 3000, keys: 1, clients: 20, seed: 7, infoRate: 0.3 }).events);

  it('a time limit gives unknown (timeout)', () => {
    const result = checkOperationsSync(hard, { timeoutMs: 5 });
    expect(result.valid).toBe('unknown');
    expect(result.unknownReason).toBe('timeout');
  });

  it('a cache-memory limit gives unknown (memory), not an out-of-memory crash', () => {
    const result = checkOperationsSync(hard, { timeoutMs: 30_000, maxCacheBytes: 256 * 1024 });
    expect(result.valid).toBe('unknown');
    expect(result.unknownReason).toBe('memory');
  });
});

describe('pausing and resuming', () => {
  // One key, many concurrent indeterminate writes: thousands of steps, so tiny deadlines pause it many times.
  const keyOps = (seed: number, violate: boolean) => reduceKey(pairOperations(generateHistory({ ops: 600, keys: 1, clients: 8, seed, infoRate: 0.1, violate }).events));

  it.each([
    [1, false],
    [2, true],
    [3, true],
  ])('a search paused at every step budget ends as one run to the end does (seed %i, violation %s)', (seed, violate) => {
    const ops = keyOps(seed, violate);
    const whole = searchKey(ops, null, newBudget(30_000));
    const search = new KeySearch(ops, null, newBudget(30_000));
    let pauses = 0;
    let outcome = search.run(-Infinity); // the deadline has passed: it pauses at its first check
    while (outcome === null) {
      pauses++;
      outcome = search.run(-Infinity);
    }
    expect(outcome.result).toBe(violate ? 'illegal' : 'ok');
    expect(pauses).toBeGreaterThan(0);
    if (outcome.result === 'illegal' && whole.result === 'illegal') {
      expect([outcome.stuck.id, outcome.prefix.map((s) => s.op.id)]).toEqual([whole.stuck.id, whole.prefix.map((s) => s.op.id)]);
    } else expect(outcome).toEqual(whole);
  });

  it('a search that outgrows the budget takes a paused search’s cache, which then starts over and still decides', () => {
    // Two keys with the same hard history: the budget has room for either search alone, not for both at their peaks.
    const a = keyOps(2, true);
    const b = keyOps(2, true);
    const probe = newBudget(30_000);
    let peak = 0;
    const alone = new KeySearch(a, null, probe);
    while (alone.run(-Infinity) === null) peak = Math.max(peak, probe.usedCacheWords);
    const budget: SearchBudget = { deadline: Infinity, maxCacheWords: peak + 2048, usedCacheWords: 0 };
    const searches: KeySearch[] = [];
    let reclaimed = 0;
    budget.reclaim = (asking) => {
      const victim = searches.find((s) => s !== asking && s.heldWords > 0);
      victim?.release();
      if (victim !== undefined) reclaimed++;
      return victim !== undefined;
    };
    const sa = new KeySearch(a, null, budget);
    const sb = new KeySearch(b, null, budget);
    searches.push(sa, sb);
    let oa = sa.run(-Infinity);
    while (oa === null && budget.usedCacheWords < peak / 2) oa = sa.run(-Infinity); // a paused, holding half its peak
    expect(oa).toBeNull();
    expect(sb.run(Infinity)?.result).toBe('illegal');
    expect(reclaimed).toBeGreaterThan(0);
    expect(sa.heldWords).toBe(0);
    expect(sa.run(Infinity)?.result).toBe('illegal');
    expect(budget.usedCacheWords).toBe(0);
  });
});
