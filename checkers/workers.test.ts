// Worker-thread search: same outcomes as this thread, and a clean fallback.
import { describe, expect, it } from 'vitest';
import { KeyChecks, checkOperationsSync } from './check.ts';
import { generateHistory } from './generate.ts';
import { pairOperations } from './index.ts';
import { searchInWorkers } from './workers.ts';

/** Checks every key of `ops` on worker threads first (every key pending: nothing searched on this thread yet), then finishes here. */
async function viaWorkers(ops: ReturnType<typeof pairOperations>) {
  const run = new KeyChecks(ops, { timeoutMs: 30_000 });
  await searchInWorkers(run);
  if (!run.keys.some((k) => run.outcomes.has(k))) console.warn('workers.test.ts: worker threads could not start here; checked the fallback only');
  run.deepen(Infinity);
  return run.finish();
}

describe('searchInWorkers', () => {
  it('decides every key of a linearizable history as this thread does (or leaves them to it if workers cannot start)', async () => {
    const ops = pairOperations(generateHistory({ ops: 3000, keys: 4, clients: 10, seed: 3, infoRate: 0.02 }).events);
    const workers = await viaWorkers(ops);
    const here = checkOperationsSync(ops, { timeoutMs: 30_000 });
    expect(workers.valid).toBe(true);
    expect(workers.perKey.map((k) => [k.key, k.valid])).toEqual(here.perKey.map((k) => [k.key, k.valid]));
  });

  it('finds the same failure; keys left open by the grace after a failure may differ, decided ones may not', async () => {
    const ops = pairOperations(generateHistory({ ops: 3000, keys: 4, clients: 10, seed: 3, infoRate: 0.02, violate: true }).events);
    const workers = await viaWorkers(ops);
    const here = checkOperationsSync(ops, { timeoutMs: 30_000 });
    expect(workers.valid).toBe(false);
    // After the first failure the other keys get a time-limited grace, so which of them end 'unknown' depends on machine speed.
    const decided = (r: typeof here) => new Map(r.perKey.filter((k) => k.valid !== 'unknown').map((k) => [k.key, k.valid]));
    const a = decided(workers);
    const b = decided(here);
    for (const [key, valid] of a) if (b.has(key)) expect([key, valid]).toEqual([key, b.get(key)]);
    // One stale read was injected: one failing key, the same one found either way.
    expect(workers.failures.map((f) => [f.key, f.stuck.id, f.longestPrefix.length])).toEqual(here.failures.map((f) => [f.key, f.stuck.id, f.longestPrefix.length]));
    expect(here.failures).toHaveLength(1);
  });
});
