// The replicated design as real processes behind the fault proxy: three
// view-service replicas (each with its data directory, the harness's {dir}),
// three servers, two coordinators. The view-service leader is killed with
// SIGKILL, then the primary server too; client operations keep succeeding,
// the history is linearizable, and the killed replica, restarted on the same
// data directory, reloads its term, vote and log and catches up with the
// views decided without it.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProcessCluster } from '../../harness/cluster/cluster.ts';
import { askNode, nodeLogs, Session, startProcesses, stopClusters, waitFor } from '../../harness/engine/testkit.ts';
import { seededRandom } from '../runtime/simnet.ts';
import { askView } from '../viewserver/testkit.ts';
import { VIEW_SERVICE_REPLICAS } from './config.ts';

const SYSTEM_JSON = join(fileURLToPath(new URL('.', import.meta.url)), 'system.json');

afterEach(stopClusters);

/** The replica that is the ready leader, if one says so. */
async function findLeader(c: ProcessCluster, replicas: readonly string[]): Promise<string | false> {
  for (const id of replicas) if ((await askNode(c, id, { type: 'status' }, 1000))?.ready === true) return id;
  return false;
}

describe('raftvs design, real processes', () => {
  it('loses the view-service leader (kill -9) and then the primary: operations keep succeeding; the restarted leader reloads its state', { timeout: 180_000 }, async () => {
    const c = await startProcesses(SYSTEM_JSON);
    const fail = (e: Error) => {
      throw new Error(`${e.message}\n${nodeLogs(c)}`);
    };
    const first = await waitFor(c, 'a primary with a backup', async () => {
      const v = await askView(c);
      return v !== null && v.primary !== null && v.backup !== null ? v : false;
    }, 30_000, 200).catch(fail);
    const leader = await waitFor(c, 'a view-service leader', () => findLeader(c, VIEW_SERVICE_REPLICAS), 30_000, 200).catch(fail);
    const before = await askNode(c, leader, { type: 'status' });

    const s = new Session(c);
    let stop = false;
    const values = { next: 1 };
    const random = seededRandom(5);
    const load = Promise.all(['c1', 'c1', 'c2', 'c2'].map((id) => s.loop(s.client(id), ['a', 'b'], () => stop, values, random)));
    /** Waits until `n` more operations have succeeded since now. */
    const moreOk = async (what: string, n: number) => {
      const base = s.stats.ok;
      await waitFor(c, what, () => s.stats.ok >= base + n, 60_000, 100).catch(fail);
    };
    try {
      await moreOk('operations before any fault', 10);
      await c.kill(leader);
      await waitFor(c, 'a new view-service leader', () => findLeader(c, VIEW_SERVICE_REPLICAS.filter((id) => id !== leader)), 30_000, 200).catch(fail);
      await moreOk('operations without the old view-service leader', 10);
      // One server lost as well: the new leader must change the view by itself.
      await c.kill(first.primary!);
      await waitFor(c, 'the backup to take over', async () => {
        const v = await askView(c);
        return v !== null && v.primary === first.backup && v.view > first.view;
      }, 30_000, 200).catch(fail);
      await moreOk('operations without the old leader and the old primary', 10);
      await c.restart(leader);
      await waitFor(c, `${leader} to reload its state`, () => /restored term \d+, vote \S+, \d+ log entries/.test(c.log(leader)), 30_000, 100).catch(fail);
      const now = (await askView(c))!;
      await waitFor(c, `${leader} to catch up`, async () => {
        const st = await askNode(c, leader, { type: 'status' }, 1000);
        return st !== null && (st.view as { viewnum: number }).viewnum >= now.view && (st.term as number) > (before!.term as number);
      }, 30_000, 200).catch(fail);
      await moreOk('operations after the restart', 5);
    } finally {
      stop = true;
      await load;
    }
    const verdict = await s.verdict();
    expect(verdict.valid, `${verdict.explanation}\n${nodeLogs(c, 30)}`).toBe(true);
  });
});
