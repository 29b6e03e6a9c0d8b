// The replicated design as real processes on loopback: three view-service
// replicas (each with its data directory), three servers, two coordinators.
// The view-service leader is killed with SIGKILL, then the primary server
// too; client operations keep succeeding, the history is linearizable, and
// the killed replica, restarted on the same data directory, reloads its term,
// vote and log and catches up with the views decided without it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Cluster, killAllNow } from '../testing/cluster.ts';
import { Recorder } from '../testing/recorder.ts';
import { checkRecorded } from '../testing/verdict.ts';
import { waitFor } from '../testing/wait.ts';
import { clientLoop } from '../viewserver/testkit.ts';
import { VIEW_SERVICE_REPLICAS } from './config.ts';
import { findLeader, status, SYSTEM_JSON, withDataDirs } from './testkit.ts';

let cluster: Cluster | null = null;
const roots: string[] = [];
afterEach(async () => {
  await cluster?.stop();
  cluster = null;
});
afterAll(() => {
  killAllNow();
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

async function primaryOf(c: Cluster): Promise<{ primary: string | null; backup: string | null; view: number }> {
  const c1 = await c.client('c1');
  const reply = await c1.request({ type: 'primary' }, 3000);
  c1.close();
  return { primary: (reply?.primary as string | null) ?? null, backup: (reply?.backup as string | null) ?? null, view: (reply?.view as number) ?? 0 };
}

describe('raftvs design, real processes', () => {
  it('loses the view-service leader (kill -9) and then the primary: operations keep succeeding; the restarted leader reloads its state', { timeout: 180_000 }, async () => {
    const root = mkdtempSync(join(tmpdir(), 'splitbrain-raftvs-'));
    roots.push(root);
    const c = (cluster = await Cluster.start(withDataDirs(SYSTEM_JSON, root)));
    const fail = (e: Error) => {
      throw new Error(`${e.message}\n${c.logs(40)}`);
    };
    const first = await waitFor('a primary with a backup', async () => {
      const v = await primaryOf(c).catch(() => null);
      return v !== null && v.primary !== null && v.backup !== null ? v : false;
    }, 30_000, 200).catch(fail);
    const leader = await waitFor('a view-service leader', () => findLeader(c, VIEW_SERVICE_REPLICAS), 30_000, 200).catch(fail);
    const before = await status(c, leader);

    const recorder = new Recorder();
    const clients = await Promise.all(['c1', 'c1', 'c2', 'c2'].map((id) => c.client(id)));
    let stop = false;
    const values = { next: 1 };
    const load = Promise.all(clients.map((cl, i) => clientLoop(recorder, cl, i, ['a', 'b'], () => stop, values)));
    /** Waits until `n` more operations have succeeded since now. */
    const moreOk = async (what: string, n: number) => {
      const base = recorder.count('ok');
      await waitFor(what, () => recorder.count('ok') >= base + n, 60_000, 100).catch(fail);
    };
    try {
      await moreOk('operations before any fault', 10);
      c.kill(leader);
      await waitFor('a new view-service leader', () => findLeader(c, VIEW_SERVICE_REPLICAS.filter((id) => id !== leader)), 30_000, 200).catch(fail);
      await moreOk('operations without the old view-service leader', 10);
      // One server lost as well: the new leader must change the view by itself.
      c.kill(first.primary!);
      await waitFor('the backup to take over', async () => {
        const v = await primaryOf(c).catch(() => null);
        return v !== null && v.primary === first.backup && v.view > first.view;
      }, 30_000, 200).catch(fail);
      await moreOk('operations without the old leader and the old primary', 10);
      await c.restart(leader);
      await waitFor(`${leader} to reload its state`, () => c.nodes.get(leader)!.log.some((l) => /restored term \d+, vote \S+, \d+ log entries/.test(l)), 30_000, 100).catch(fail);
      const now = await primaryOf(c);
      await waitFor(`${leader} to catch up`, async () => {
        const s = await status(c, leader).catch(() => null);
        return s !== null && (s.view as { viewnum: number }).viewnum >= now.view && (s.term as number) > (before!.term as number);
      }, 30_000, 200).catch(fail);
      await moreOk('operations after the restart', 5);
    } finally {
      stop = true;
      await load;
    }
    const verdict = checkRecorded(recorder.ops);
    expect(verdict.valid, `${verdict.explanation}\n${c.logs(30)}`).toBe(true);
  });
});
