// failover on either engine (real processes behind the fault proxy, or its
// nodes in the simulator): cut c1 from s1 and s1
// from s2; c1 fails over to s2 while c2 keeps using s1. Two primaries; a
// completed write is then missing from a read.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { read, Session, startProcesses, startSim, stopClusters, write } from '../../harness/engine/testkit.ts';

const SYSTEM_JSON = join(fileURLToPath(new URL('.', import.meta.url)), 'system.json');

afterEach(stopClusters);

// The same test on both engines: the anomaly is the design's, not the engine's.
describe.each([
  ['real processes', startProcesses],
  ['simulation', startSim],
] as const)('%s', (_engine, start) => {
  it('ends up with two primaries under a partition', async () => {
    const c = await start(SYSTEM_JSON);
    const s = new Session(c);
    const [c1, c2] = [s.client('c1'), s.client('c2')];
    expect(await c1.run(write('x', 1))).toMatchObject({ type: 'ok' });
    await c.cut([['c1', 's1'], ['s1', 's2']], 'drop');
    // c1's write times out at s1, and c1 makes s2 its primary for good.
    expect(await c1.run(write('x', 2))).toMatchObject({ type: 'info' });
    expect(await c1.run(write('x', 3))).toMatchObject({ type: 'ok' });
    expect(await c2.run(read('x'))).toEqual({ type: 'ok', value: 1 });
    expect((await s.verdict()).valid).toBe(false);
  });
});
