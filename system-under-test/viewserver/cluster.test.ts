// The view-server design as real processes on loopback: failover without lost
// writes, at-most-once under dropped replies, primary and backup equal after
// concurrent clients, crash/restart of random servers under load, and the
// two-backup definition losing two servers at once.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Cluster, killAllNow } from '../testing/cluster.ts';
import { checkRecorded } from '../testing/verdict.ts';
import { Recorder } from '../testing/recorder.ts';
import { sleep, waitFor } from '../testing/wait.ts';
import { join } from 'node:path';
import { askView, clientLoop, dump, SYSTEM_JSON, waitReady } from './testkit.ts';

let cluster: Cluster | null = null;
afterEach(async () => {
  await cluster?.stop();
  cluster = null;
});
afterAll(killAllNow);

async function start(): Promise<Cluster> {
  cluster = await Cluster.start(SYSTEM_JSON);
  return cluster;
}

describe('view-server design, real processes', () => {
  it('fails over to the backup without losing an acknowledged write', async () => {
    const c = await start();
    const before = await waitReady(c);
    const c1 = await c.client('c1');
    for (let i = 0; i < 10; i++) expect(await c1.request({ type: 'write', key: `k${i}`, value: i })).toMatchObject({ type: 'write_ok' });
    c.kill(before.primary!);
    const after = await waitFor('the backup to take over', async () => {
      const v = await askView(c);
      return v.primary === before.backup && v.view > before.view ? v : false;
    }).catch((e: Error) => {
      throw new Error(`${e.message}\n${c.logs(40)}`);
    });
    expect(after.primary).toBe(before.backup);
    const c2 = await c.client('c2');
    for (let i = 0; i < 10; i++) expect(await c2.request({ type: 'read', key: `k${i}` })).toMatchObject({ type: 'read_ok', value: i });
    // c1 still caches the dead primary; it must find the new one by itself.
    expect(await c1.request({ type: 'write', key: 'k0', value: 100 })).toMatchObject({ type: 'write_ok' });
    expect(await c2.request({ type: 'read', key: 'k0' })).toMatchObject({ type: 'read_ok', value: 100 });
  });

  it('applies every cas once although the replies to the coordinator are dropped', async () => {
    const c = await start();
    const v = await waitReady(c);
    const c1 = await c.client('c1');
    expect(await c1.request({ type: 'write', key: 'n', value: 0 })).toMatchObject({ type: 'write_ok' });
    // For each cas, drop the primary's reply to c1: the cas is applied, c1 hears nothing and resends it
    // under the same identity, and the primary must answer from its duplicate table.
    const link = c.links.get(`c1->${v.primary}`)!;
    let retried = 0;
    for (let i = 0; i < 6; i++) {
      const t0 = Date.now();
      link.cut('drop', 'back');
      const reply = c1.request({ type: 'cas', key: 'n', from: i, to: i + 1 }, 6000);
      await sleep(300);
      link.heal();
      // A re-executed cas would find i+1 and fail with 22.
      expect(await reply).toMatchObject({ type: 'cas_ok' });
      if (Date.now() - t0 > 800) retried++;
    }
    expect(retried).toBe(6);
    expect(await c1.request({ type: 'read', key: 'n' })).toMatchObject({ type: 'read_ok', value: 6 });
  });

  it('keeps the backup equal to the primary under concurrent clients, then serves the same state after failover', async () => {
    const c = await start();
    const v = await waitReady(c);
    const recorder = new Recorder();
    const clients = await Promise.all(['c1', 'c1', 'c2', 'c2'].map((id) => c.client(id)));
    const end = Date.now() + 2500;
    const values = { next: 1 };
    await Promise.all(clients.map((cl, i) => clientLoop(recorder, cl, i, ['a', 'b', 'c'], () => Date.now() > end, values)));
    expect(recorder.count('ok')).toBeGreaterThan(50);
    const primary = await dump(c, v.primary!);
    const backup = await dump(c, v.backup!);
    expect(backup!.data).toEqual(primary!.data);
    expect(backup!.dups).toEqual(primary!.dups);
    c.kill(v.primary!);
    await waitFor('the backup to take over', async () => (await askView(c)).primary === v.backup);
    const c1 = await c.client('c1');
    for (const [key, value] of Object.entries(primary!.data as Record<string, number>)) {
      expect(await c1.request({ type: 'read', key })).toMatchObject({ type: 'read_ok', value });
    }
    const verdict = checkRecorded(recorder.ops);
    expect(verdict.valid, verdict.explanation).toBe(true);
  });

  // Five crash/restart rounds of a few seconds each, plus five process starts: more than the default 30 s on a busy machine.
  it('stays linearizable while random servers crash and restart under load', { timeout: 120_000 }, async () => {
    const c = await start();
    await waitReady(c);
    const recorder = new Recorder();
    const clients = await Promise.all(['c1', 'c1', 'c2', 'c2'].map((id) => c.client(id)));
    let stop = false;
    const values = { next: 1 };
    const load = Promise.all(clients.map((cl, i) => clientLoop(recorder, cl, i, ['a', 'b'], () => stop, values)));
    const crashes: string[] = [];
    try {
      for (let round = 0; round < 5; round++) {
        await sleep(1200);
        const victim = ['s1', 's2', 's3'][Math.floor(Math.random() * 3)];
        crashes.push(victim);
        c.kill(victim);
        await sleep(300 + Math.random() * 500);
        await c.restart(victim);
      }
      await sleep(1500);
    } finally {
      stop = true;
      await load;
    }
    const verdict = checkRecorded(recorder.ops);
    expect(verdict.valid, `crashed ${crashes.join(',')}: ${verdict.explanation}\n${c.logs(30)}`).toBe(true);
    expect(recorder.count('ok')).toBeGreaterThan(20);
  });

  it('with two backups (system-2backups.json), loses the primary and a backup at once without losing a write', { timeout: 90_000 }, async () => {
    const c = (cluster = await Cluster.start(join(SYSTEM_JSON, '..', 'system-2backups.json')));
    const v = await waitFor('a primary with two synced backups', async () => {
      const view = await askView(c).catch(() => null);
      if (view?.primary == null || view.backups.length !== 2) return false;
      const d = await dump(c, view.primary).catch(() => null);
      return d !== null && d.readyView === view.view ? view : false;
    }, 30_000, 200);
    const c1 = await c.client('c1');
    for (let i = 0; i < 5; i++) expect(await c1.request({ type: 'write', key: `k${i}`, value: i })).toMatchObject({ type: 'write_ok' });
    c.kill(v.primary!);
    c.kill(v.backups[0]);
    const survivor = v.backups[1];
    await waitFor(`${survivor} to take over`, async () => (await askView(c).catch(() => null))?.primary === survivor, 30_000, 200).catch((e: Error) => {
      throw new Error(`${e.message}\n${c.logs(40)}`);
    });
    const c2 = await c.client('c2');
    for (let i = 0; i < 5; i++) expect(await c2.request({ type: 'read', key: `k${i}` }, 6000)).toMatchObject({ type: 'read_ok', value: i });
  });
});
