// The cluster helper must never leave a process behind: stop() ends every
// node (paused ones too), and killAllNow() is the last resort.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Cluster, killAllNow } from './cluster.ts';

const naive = join(fileURLToPath(new URL('..', import.meta.url)), 'naive', 'system.json');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('Cluster (test helper)', () => {
  it('starts a design from its system.json and stops every process, paused ones included', async () => {
    const c = await Cluster.start(naive);
    const pids = [...c.nodes.values()].map((n) => n.child!.pid!);
    expect(pids).toHaveLength(4);
    c.pause('r1');
    await c.stop();
    expect(pids.filter(alive)).toEqual([]);
  });

  it('kills everything at once with killAllNow', async () => {
    const c = await Cluster.start(naive);
    const pids = [...c.nodes.values()].map((n) => n.child!.pid!);
    killAllNow();
    await new Promise((r) => setTimeout(r, 300));
    expect(pids.filter(alive)).toEqual([]);
    await c.stop();
  });
});
