// The kernel network backend, observed from inside the nodes' namespaces: a
// cut stops packets both ways between two processes and nothing else, heal
// restores them, clients still come in, nothing is ever done to the
// machine's own network, and the namespaces (with their rules) are gone after
// a stop, a Ctrl-C, or a SIGKILL of the harness.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSystem } from '../system/definition.ts';
import { ProcessCluster } from './cluster.ts';
import { kernelNetworkUnavailable } from './kernelNetwork.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const definition = join(here, 'testdata', 'echoKernel.json');
const missing = kernelNetworkUnavailable();

/** What the machine's own namespace has: its rules, interfaces, addresses and routes. */
function machineNetwork(): string {
  const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8' });
  return [run('iptables-save', []).replace(/^#.*$/gm, ''), run('ip', ['-o', 'link']), run('ip', ['-o', 'addr']), run('ip', ['route', 'show', 'table', 'all'])].join('\n');
}

/** Every live process's network namespace. */
function namespacesInUse(): Set<string> {
  const seen = new Set<string>();
  for (const pid of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      seen.add(readlinkSync(`/proc/${pid}/ns/net`));
    } catch {
      /* gone, or a kernel thread */
    }
  }
  return seen;
}

describe.skipIf(missing !== null)(`kernel network backend${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let cluster: ProcessCluster;
  let before: string;

  beforeAll(async () => {
    before = machineNetwork();
    cluster = await ProcessCluster.start(loadSystem(definition), { logDir: mkdtempSync(join(tmpdir(), 'sb-kernel-')) });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  /** From inside `from`'s namespace: does a connection to `to` carry a line and its echo? */
  async function reach(from: string, to: string): Promise<string> {
    const net = cluster.kernelNetwork!;
    const argv = net.wrap(from, [process.execPath, join(here, 'testdata', 'reach.js'), net.hostOf(to), String(cluster.nodes.get(to)!.listen.port), '1500']);
    return (await cluster.owner.run({ name: 'reach', argv, cwd: here })).output.trim();
  }

  async function echoThroughClientLink(node: string): Promise<string> {
    const a = cluster.clientAddress(node);
    return new Promise((r) => {
      const s = connect(a.port, a.host, () => s.write('hello'));
      s.once('data', (d) => (s.destroy(), r(String(d))));
      s.once('error', (e) => r(e.message));
    });
  }

  it('gives every node an address of its own, the same for every peer', () => {
    const hosts = cluster.nodeIds().map((id) => cluster.nodes.get(id)!.listen.host);
    expect(new Set(hosts).size).toBe(3);
    expect(hosts.every((h) => h.startsWith('127.77.0.'))).toBe(true);
    expect(cluster.nodeLinks().map((l) => l.name).sort()).toEqual(['n1->n2', 'n1->n3', 'n2->n1', 'n2->n3', 'n3->n1', 'n3->n2']);
  });

  it('a cut stops packets both ways between the two nodes and no others; clients still reach both; heal restores it', async () => {
    expect([await reach('n1', 'n2'), await reach('n2', 'n1')]).toEqual(['ok', 'ok']);
    expect(await cluster.cut([['n1', 'n2']], 'drop')).toEqual(['n1->n2', 'n2->n1']);
    expect(cluster.activeNetworkFaults().sort()).toEqual(['n1->n2', 'n2->n1']);
    const [a, b, c, d] = await Promise.all([reach('n1', 'n2'), reach('n2', 'n1'), reach('n3', 'n1'), reach('n2', 'n3')]);
    expect({ a, b, c, d }).toEqual({ a: 'timeout', b: 'timeout', c: 'ok', d: 'ok' });
    expect([await echoThroughClientLink('n1'), await echoThroughClientLink('n2')]).toEqual(['hello', 'hello']);
    await cluster.healNetwork();
    expect(cluster.activeNetworkFaults()).toEqual([]);
    expect([await reach('n1', 'n2'), await reach('n2', 'n1')]).toEqual(['ok', 'ok']);
  });

  it('reset mode refuses at once, both ways', async () => {
    await cluster.cut([['n1', 'n3']], 'reset');
    // Refused, not timed out: the answer came back from the rule, where drop mode gives none.
    expect([await reach('n1', 'n3'), await reach('n3', 'n1')]).toEqual(['refused', 'refused']);
    await cluster.healNetwork();
    expect([await reach('n1', 'n3'), await reach('n3', 'n1')]).toEqual(['ok', 'ok']);
  });

  it('latency is refused with the reason: it needs the fault proxy', async () => {
    await expect(cluster.addLatency(cluster.nodeLinks(), 100, 10)).rejects.toThrow(/latency needs the fault proxy/);
  });

  it('never touches the machine\'s own network, and its namespaces die with the run', async () => {
    await cluster.cut([['n2', 'n3']], 'drop');
    expect(machineNetwork()).toEqual(before);
    const made = cluster.kernelNetwork!.namespaces();
    expect(made).toHaveLength(4);
    expect(made).not.toContain(readlinkSync('/proc/self/ns/net'));
    await cluster.stop();
    await expect.poll(() => made.filter((ns) => namespacesInUse().has(ns)), { timeout: 5000 }).toEqual([]);
    expect(machineNetwork()).toEqual(before);
  });
});

describe.skipIf(missing !== null)(`kernel network backend, when the harness dies${missing ? ` (skipped: ${missing})` : ''}`, () => {
  /** Starts the fixture harness on the kernel backend; returns its pids and namespaces once it is up. */
  async function holdKernelCluster(): Promise<{ pid: number; pids: number[]; netns: string[]; exited: Promise<unknown> }> {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'testdata', 'holdCluster.ts'), 'wait', definition], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise((r) => child.on('exit', r));
    const line = await new Promise<{ pids: number[]; netns: string[] }>((resolveLine, reject) => {
      child.stdout.on('data', (d) => {
        out += d;
        if (out.includes('\n')) resolveLine(JSON.parse(out.split('\n')[0]));
      });
      void exited.then(() => reject(new Error(`fixture exited early: ${err}`)));
    });
    expect(line.netns).toHaveLength(4);
    return { pid: child.pid!, ...line, exited };
  }

  for (const signal of ['SIGINT', 'SIGKILL'] as const) {
    it(`${signal} of the harness leaves no process, namespace or rule behind`, async () => {
      const before = machineNetwork();
      const { pid, netns, exited } = await holdKernelCluster();
      process.kill(pid, signal);
      await exited;
      // After SIGKILL the watchdog kills the holders; the namespaces go with their last process.
      await expect.poll(() => netns.filter((ns) => namespacesInUse().has(ns)), { timeout: 10_000, interval: 100 }).toEqual([]);
      expect(machineNetwork()).toEqual(before);
    });
  }
});
