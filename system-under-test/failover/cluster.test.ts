// failover as real processes: cut c1 from s1 and s1 from s2; c1 fails over to
// s2 while c2 keeps using s1. Two primaries; a completed write is then
// missing from a read.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Cluster, killAllNow } from '../testing/cluster.ts';
import { checkLinearizable } from '../testing/linearizability.ts';
import { Recorder } from '../testing/recorder.ts';

const SYSTEM_JSON = join(fileURLToPath(new URL('.', import.meta.url)), 'system.json');
let cluster: Cluster | null = null;
afterAll(async () => {
  await cluster?.stop();
  killAllNow();
});

describe('failover design, real processes', () => {
  it('ends up with two primaries under a partition', async () => {
    cluster = await Cluster.start(SYSTEM_JSON);
    const [c1, c2] = [await cluster.client('c1'), await cluster.client('c2')];
    const recorder = new Recorder();
    expect((await recorder.run(c1, 0, { f: 'write', key: 'x', value: 1 })).status).toBe('ok');
    cluster.cut('c1', 's1', 'drop');
    cluster.cut('s1', 's2', 'drop');
    // c1's write times out at s1, and c1 makes s2 its primary for good.
    expect((await recorder.run(c1, 1, { f: 'write', key: 'x', value: 2 })).status).toBe('info');
    expect((await recorder.run(c1, 2, { f: 'write', key: 'x', value: 3 })).status).toBe('ok');
    const read = await recorder.run(c2, 3, { f: 'read', key: 'x' });
    expect(read).toMatchObject({ status: 'ok', output: 1 });
    expect(checkLinearizable(recorder.ops).ok).toBe(false);
  });
});
