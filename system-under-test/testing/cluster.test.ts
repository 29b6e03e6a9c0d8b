// The cluster helper must never leave a process behind: stop() ends every
// node (paused ones too), and killAllNow() is the last resort.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
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

  it('restarts a node whose port was taken while it was down on a fresh port, behind the same links', async () => {
    const c = await Cluster.start(naive);
    const squatter = net.createServer((s) => s.end());
    try {
      const r1 = c.nodes.get('r1')!;
      const oldPort = r1.port;
      const child = r1.child!;
      const gone = new Promise((r) => child.once('exit', r));
      c.kill('r1');
      await gone;
      await new Promise<void>((r) => squatter.listen(oldPort, '127.0.0.1', r));
      await c.restart('r1');
      expect(r1.port).not.toBe(oldPort);
      // A write goes through c1 to both replicas, r1 through its retargeted link.
      const client = await c.client('c1');
      expect(await client.request({ type: 'write', key: 'k', value: 1 }), c.logs()).toMatchObject({ type: 'write_ok' });
    } finally {
      squatter.close();
      await c.stop();
    }
  });
});

