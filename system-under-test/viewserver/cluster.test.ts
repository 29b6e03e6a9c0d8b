// The view-server design as real processes behind the fault proxy
// (ProcessCluster): failover without lost writes, at-most-once under dropped
// replies, primary and backup equal after concurrent clients, crash/restart
// of random servers under load, and the two-backup definition losing two
// servers at once. Client operations go through the harness's clients and
// are recorded by the gate's ok/fail/info rules; histories are judged by the
// real checker.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { cas, nodeLogs as logs, read, Session, startProcesses, stopClusters, waitFor, write } from '../../harness/engine/testkit.ts';
import { seededRandom } from '../runtime/simnet.ts';
import { askView, dump, waitReady } from './testkit.ts';

const SYSTEM_JSON = join(fileURLToPath(new URL('.', import.meta.url)), 'system.json');

afterEach(stopClusters);

describe('view-server design, real processes', () => {
  it('fails over to the backup without losing an acknowledged write', async () => {
    const c = await startProcesses(SYSTEM_JSON);
    const before = await waitReady(c);
    const s = new Session(c);
    const c1 = s.client('c1');
    for (let i = 0; i < 10; i++) expect(await c1.run(write(`k${i}`, i))).toMatchObject({ type: 'ok' });
    await c.kill(before.primary!);
    await waitFor(c, 'the backup to take over', async () => {
      const v = await askView(c);
      return v !== null && v.primary === before.backup && v.view > before.view;
    }).catch((e: Error) => {
      throw new Error(`${e.message}\n${logs(c)}`);
    });
    const c2 = s.client('c2');
    for (let i = 0; i < 10; i++) expect(await c2.run(read(`k${i}`))).toEqual({ type: 'ok', value: i });
    // c1 still caches the dead primary; it must find the new one by itself.
    expect(await c1.run(write('k0', 100))).toMatchObject({ type: 'ok' });
    expect(await c2.run(read('k0'))).toEqual({ type: 'ok', value: 100 });
    expect((await s.verdict()).valid).toBe(true);
  });

  it('applies every cas once although the replies to the coordinator are dropped', async () => {
    const c = await startProcesses(SYSTEM_JSON);
    const v = await waitReady(c);
    const s = new Session(c);
    const c1 = s.client('c1');
    expect(await c1.run(write('n', 0))).toMatchObject({ type: 'ok' });
    // For each cas, hold the primary's replies to c1 (the proxy's timeout toxic on the downstream of
    // c1->primary): the cas is applied, c1 hears nothing and resends it under the same identity, and
    // the primary must answer from its duplicate table.
    const proxy = c.link('c1', v.primary!)!.proxy;
    let retried = 0;
    for (let i = 0; i < 6; i++) {
      const t0 = Date.now();
      const toxic = await proxy.addToxic({ name: 'replies-lost', type: 'timeout', stream: 'downstream', toxicity: 1, attributes: { timeout: 0 } });
      const reply = c1.run(cas('n', i, i + 1), 6000);
      await c.clock.sleep(300);
      await toxic.remove();
      // A re-executed cas would find i+1 and fail with 22.
      expect(await reply).toMatchObject({ type: 'ok' });
      if (Date.now() - t0 > 800) retried++;
    }
    expect(retried).toBe(6);
    expect(await c1.run(read('n'))).toEqual({ type: 'ok', value: 6 });
    expect((await s.verdict()).valid).toBe(true);
  });

  it('keeps the backup equal to the primary under concurrent clients, then serves the same state after failover', async () => {
    const c = await startProcesses(SYSTEM_JSON);
    const v = await waitReady(c);
    const s = new Session(c);
    const values = { next: 1 };
    const random = seededRandom(7);
    // Enough operations to compare, counted rather than timed.
    await Promise.all(['c1', 'c1', 'c2', 'c2'].map((id) => s.loop(s.client(id), ['a', 'b', 'c'], () => s.stats.ok >= 200, values, random)));
    const primary = await dump(c, v.primary!);
    const backup = await dump(c, v.backup!);
    expect(backup!.data).toEqual(primary!.data);
    expect(backup!.dups).toEqual(primary!.dups);
    await c.kill(v.primary!);
    await waitFor(c, 'the backup to take over', async () => (await askView(c))?.primary === v.backup);
    const c1 = s.client('c1');
    for (const [key, value] of Object.entries(primary!.data as Record<string, number>)) {
      expect(await c1.run(read(key))).toEqual({ type: 'ok', value });
    }
    const verdict = await s.verdict();
    expect(verdict.valid, verdict.explanation).toBe(true);
  });

  // Five crash/restart rounds, each waiting for operations to succeed, plus five process starts:
  // more than the default 30 s on a busy machine.
  it('stays linearizable while random servers crash and restart under load', { timeout: 180_000 }, async () => {
    const c = await startProcesses(SYSTEM_JSON);
    await waitReady(c);
    const s = new Session(c);
    let stop = false;
    const values = { next: 1 };
    const random = seededRandom(11);
    const load = Promise.all(['c1', 'c1', 'c2', 'c2'].map((id) => s.loop(s.client(id), ['a', 'b'], () => stop, values, random)));
    const moreOk = (what: string, n: number) => {
      const base = s.stats.ok;
      return waitFor(c, what, () => s.stats.ok >= base + n, 60_000, 100);
    };
    const crashes: string[] = [];
    try {
      for (let round = 0; round < 5; round++) {
        await moreOk(`operations before crash ${round + 1}`, 10);
        const victim = ['s1', 's2', 's3'][Math.floor(random() * 3)];
        crashes.push(victim);
        await c.kill(victim);
        await c.restart(victim);
      }
      await moreOk('operations after the last restart', 10);
    } finally {
      stop = true;
      await load;
    }
    const verdict = await s.verdict();
    expect(verdict.valid, `crashed ${crashes.join(',')}: ${verdict.explanation}\n${logs(c, 30)}`).toBe(true);
  });

  it('with two backups (system-2backups.json), loses the primary and a backup at once without losing a write', { timeout: 90_000 }, async () => {
    const c = await startProcesses(join(SYSTEM_JSON, '..', 'system-2backups.json'));
    const v = await waitReady(c, 'a primary with two synced backups', 0, 2);
    const s = new Session(c);
    const c1 = s.client('c1');
    for (let i = 0; i < 5; i++) expect(await c1.run(write(`k${i}`, i))).toMatchObject({ type: 'ok' });
    await Promise.all([c.kill(v.primary!), c.kill(v.backups[0])]);
    const survivor = v.backups[1];
    await waitFor(c, `${survivor} to take over`, async () => (await askView(c))?.primary === survivor, 30_000, 200).catch((e: Error) => {
      throw new Error(`${e.message}\n${logs(c)}`);
    });
    const c2 = s.client('c2');
    for (let i = 0; i < 5; i++) expect(await c2.run(read(`k${i}`), 6000)).toEqual({ type: 'ok', value: i });
  });
});
