// Real-process helpers for the replicated design's tests.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Body } from '../runtime/env.ts';
import type { Cluster, SystemDefinition } from '../testing/cluster.ts';

export const SYSTEM_JSON = join(fileURLToPath(new URL('.', import.meta.url)), 'system.json');

/**
 * testing/Cluster fills in {node} {id} {listen} {peers} but not yet {dir}
 * (the harness supplies it: a fresh data directory per node, kept across
 * kill and restart within a run). Until it does, this writes a copy of the
 * definition into `root` with each node's {dir} a folder `root/ID`, and
 * every path made absolute (the copy's folder is where the nodes start).
 */
export function withDataDirs(systemJson: string, root: string): string {
  const folder = dirname(resolve(systemJson));
  const definition = JSON.parse(readFileSync(systemJson, 'utf8')) as SystemDefinition;
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  for (const [id, node] of Object.entries(definition.nodes)) {
    const command = node.command.map((arg, i) => {
      if (arg === '{dir}') return join(root, id);
      if (arg === 'tsx' && node.command[i - 1] === '--import') return tsx;
      if (arg.endsWith('.ts')) return resolve(folder, arg);
      return arg;
    });
    node.command = [...command, '--roles', join(folder, 'roles.ts')];
  }
  mkdirSync(root, { recursive: true });
  const copy = join(root, 'system.json');
  writeFileSync(copy, JSON.stringify(definition, null, 2));
  return copy;
}

export async function status(cluster: Cluster, id: string): Promise<Body | null> {
  const c = await cluster.directClient(id);
  const reply = await c.request({ type: 'status' }, 1000);
  c.close();
  return reply;
}

/** The replica that is the ready leader, if one says so. */
export async function findLeader(cluster: Cluster, replicas: readonly string[]): Promise<string | false> {
  for (const id of replicas) {
    const s = await status(cluster, id).catch(() => null);
    if (s?.ready === true) return id;
  }
  return false;
}
