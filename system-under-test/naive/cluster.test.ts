// naive as real processes: slow two links so concurrent writes reach the
// replicas in opposite orders; both writes succeed and reads then disagree.
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

describe('naive design, real processes', () => {
  it('serves the protocol, and shows two write orders on two replicas', async () => {
    cluster = await Cluster.start(SYSTEM_JSON);
    const [c1, c2] = [await cluster.client('c1'), await cluster.client('c2')];
    expect(await c1.request({ type: 'read', key: 'x' })).toMatchObject({ type: 'error', code: 20 });
    const recorder = new Recorder();
    expect((await recorder.run(c1, 0, { f: 'write', key: 'x', value: 0 })).status).toBe('ok');
    cluster.links.get('c1->r2')!.delay(300);
    cluster.links.get('c2->r1')!.delay(300);
    const [w1, w2] = await Promise.all([recorder.run(c1, 0, { f: 'write', key: 'x', value: 1 }), recorder.run(c2, 1, { f: 'write', key: 'x', value: 2 })]);
    expect([w1.status, w2.status]).toEqual(['ok', 'ok']);
    cluster.heal();
    const seen = new Set<unknown>();
    for (let i = 0; i < 16; i++) seen.add((await recorder.run(c1, 0, { f: 'read', key: 'x' })).output);
    expect([...seen].sort()).toEqual([1, 2]);
    expect(checkLinearizable(recorder.ops).ok).toBe(false);
  });
});
