// Real-process helpers for the view-server integration tests.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Body } from '../runtime/env.ts';
import { Cluster } from '../testing/cluster.ts';
import { waitFor } from '../testing/wait.ts';
import type { TestClient } from '../testing/client.ts';
import type { Recorder, Invocation } from '../testing/recorder.ts';

export const SYSTEM_JSON = join(fileURLToPath(new URL('.', import.meta.url)), 'system.json');

export interface ViewInfo {
  primary: string | null;
  backup: string | null;
  backups: string[];
  view: number;
}

export async function askView(cluster: Cluster): Promise<ViewInfo> {
  const vs = await cluster.directClient('vs');
  const reply = await vs.request({ type: 'primary' }, 1000);
  vs.close();
  if (reply === null) throw new Error('the view server did not answer');
  return { primary: reply.primary as string | null, backup: reply.backup as string | null, backups: reply.backups as string[], view: reply.view as number };
}

export async function dump(cluster: Cluster, id: string): Promise<Body | null> {
  const c = await cluster.directClient(id);
  const reply = await c.request({ type: 'dump' }, 1000);
  c.close();
  return reply;
}

/** Waits until the view has a primary that finished its state transfer to a backup. */
export async function waitReady(cluster: Cluster, what = 'a primary and a synced backup', after = 0): Promise<ViewInfo> {
  return waitFor(what, async () => {
    const v = await askView(cluster).catch(() => null);
    if (v === null || v.primary === null || v.backup === null || v.view <= after) return false;
    const d = await dump(cluster, v.primary).catch(() => null);
    return d !== null && d.readyView === v.view ? v : false;
  }, 15_000, 100);
}

/** A kv request straight to a server, as a coordinator holding a stale view would send it. */
export async function staleRead(cluster: Cluster, server: string, key: string, timeoutMs = 2500): Promise<Body | null> {
  const c = await cluster.directClient(server);
  const reply = await c.request({ type: 'kv', op: { f: 'read', key }, client: 'stale-clerk', seq: 1 }, timeoutMs);
  c.close();
  return reply === null ? null : (reply.outcome as Body);
}

/** Runs random operations on `keys` from one client until `stop()` says so. */
export async function clientLoop(recorder: Recorder, client: TestClient, process: number, keys: string[], stop: () => boolean, values: { next: number }): Promise<void> {
  while (!stop()) {
    const key = keys[Math.floor(Math.random() * keys.length)];
    const dice = Math.random();
    let inv: Invocation;
    if (dice < 0.4) inv = { f: 'read', key };
    else if (dice < 0.75) inv = { f: 'write', key, value: values.next++ };
    else inv = { f: 'cas', key, from: Math.max(1, values.next - 1 - Math.floor(Math.random() * 3)), to: values.next++ };
    await recorder.run(client, process, inv, 5000);
  }
}
