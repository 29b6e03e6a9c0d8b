// naive on either engine (real processes behind the fault proxy, or its
// nodes in the simulator): slow two links so
// concurrent writes reach the replicas in opposite orders; both writes
// succeed and reads then disagree, which the checker calls not linearizable.
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
  it('serves the protocol, and shows two write orders on two replicas', async () => {
    const c = await start(SYSTEM_JSON);
    const s = new Session(c);
    const [c1, c2] = [s.client('c1'), s.client('c2')];
    // A key never written reads as the initial null (error 20 recorded as ok).
    expect(await c1.run(read('x'))).toEqual({ type: 'ok', value: null });
    expect(await c1.run(write('x', 0))).toMatchObject({ type: 'ok' });
    await c.addLatency(c.nodeLinks().filter((l) => l.name === 'c1->r2' || l.name === 'c2->r1'), 300, 0);
    const [w1, w2] = await Promise.all([c1.run(write('x', 1)), c2.run(write('x', 2))]);
    expect([w1.type, w2.type]).toEqual(['ok', 'ok']);
    await c.healNetwork();
    const seen = new Set<unknown>();
    for (let i = 0; i < 16; i++) {
      const r = await c1.run(read('x'));
      if (r.type === 'ok') seen.add(r.value);
    }
    expect([...seen].sort()).toEqual([1, 2]);
    expect((await s.verdict()).valid).toBe(false);
  });
});
