// Search limits and large generated histories (verdicts known by construction).
import { describe, expect, it } from 'vitest';
import { generateHistory } from './generate.ts';
import { checkOperationsSync, pairOperations } from './index.ts';

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
      expect(result.failures[0].explanation).toMatch(/acknowledged before the read began/);
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
