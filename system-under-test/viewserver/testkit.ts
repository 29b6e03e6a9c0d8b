// Helpers for the view-server designs' tests, on either engine: what a test
// asks the nodes directly (the view, a server's state, a read as a stale
// coordinator would send it). Test support: only tests import it (the
// store's processes never load it; boundaries.test.ts checks both).
import type { Cluster } from '../../harness/engine/cluster.ts';
import { askNode, waitFor } from '../../harness/engine/testkit.ts';
import type { Body } from '../runtime/env.ts';

/**
 * The targeted nemeses of the randomized safety tests (safety.sim.test.ts
 * here and in raftvs/), in the order a rotation plays them: the three sharp
 * shapes first (a primary split off with one coordinator, deposed but still
 * reachable by one coordinator's clients, answers lost behind the
 * coordinators), then pauses, crashes and isolation.
 */
export const TARGETED_ROTATION = ['split-primary', 'depose', 'lose-answers', 'pause-primary', 'kill', 'isolate-primary'];

export interface ViewInfo {
  primary: string | null;
  backup: string | null;
  backups: string[];
  view: number;
}

/** The view, as the node the definition names for "who is primary" answers. */
export async function askView(cluster: Cluster): Promise<ViewInfo | null> {
  const p = cluster.def.primary;
  const reply = p !== undefined && 'ask' in p ? await askNode(cluster, p.ask, { type: 'primary' }, 3000) : null;
  if (reply === null || reply.type !== 'primary_ok') return null;
  return { primary: reply.primary as string | null, backup: (reply.backup as string | null) ?? null, backups: (reply.backups as string[]) ?? [], view: reply.view as number };
}

export async function dump(cluster: Cluster, id: string): Promise<Body | null> {
  return (await askNode(cluster, id, { type: 'dump' })) as Body | null;
}

/** Waits until the view (newer than `after`) has a primary that finished its state transfer to its backups. */
export async function waitReady(cluster: Cluster, what = 'a primary and a synced backup', after = 0, backups = 1): Promise<ViewInfo> {
  return waitFor(cluster, what, async () => {
    const v = await askView(cluster);
    if (v === null || v.primary === null || v.backups.length < backups || v.view <= after) return false;
    const d = await dump(cluster, v.primary);
    return d !== null && d.readyView === v.view ? v : false;
  }, 30_000, 100);
}

/** A kv request straight to a server, as a coordinator holding a stale view would send it; the server's outcome, or null. */
export async function staleRead(cluster: Cluster, server: string, key: string, timeoutMs = 2500): Promise<Body | null> {
  const reply = await askNode(cluster, server, { type: 'kv', op: { f: 'read', key }, client: 'stale-clerk', seq: 1 }, timeoutMs);
  return reply === null ? null : (reply.outcome as Body);
}
