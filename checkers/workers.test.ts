// Worker-thread search: same outcomes as this thread, and a clean fallback.
import { describe, expect, it } from 'vitest';
import { KeyChecks, checkOperationsSync } from './check.ts';
import { generateHistory } from './generate.ts';
import { pairOperations } from './index.ts';
import { searchInWorkers } from './workers.ts';

describe('searchInWorkers', () => {
  it('decides every pending key as this thread does (or leaves them pending if workers cannot start)', async () => {
    const ops = pairOperations(generateHistory({ ops: 3000, keys: 4, clients: 10, seed: 3, infoRate: 0.02, violate: true }).events);
    const run = new KeyChecks(ops, { timeoutMs: 30_000 });
    await searchInWorkers(run); // every key is pending: nothing was searched on this thread
    const decidedInWorkers = run.keys.filter((k) => run.outcomes.has(k));
    if (decidedInWorkers.length === 0) console.warn('workers.test.ts: worker threads could not start here; checked the fallback only');
    run.deepen(Infinity);
    const viaWorkers = run.finish();
    const here = checkOperationsSync(ops, { timeoutMs: 30_000 });
    expect(viaWorkers.valid).toBe(false);
    expect(viaWorkers.perKey.map((k) => [k.key, k.valid])).toEqual(here.perKey.map((k) => [k.key, k.valid]));
    expect(viaWorkers.failures.map((f) => [f.key, f.stuck.id, f.longestPrefix.length])).toEqual(here.failures.map((f) => [f.key, f.stuck.id, f.longestPrefix.length]));
  });
});
