// Each nemesis against a live cluster of the example store (examples/kvstore:
// n1 is primary, n2 and n3 forward to it), with the effect observed the way a
// client sees it: a backup cut off from n1 cannot answer reads. The network
// nemeses run on both network backends: the fault proxy and kernel packet
// rules must mean the same grudges.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcessCluster } from '../cluster/cluster.ts';
import { kernelNetworkUnavailable } from '../cluster/kernelNetwork.ts';
import { askOnce } from '../client/wireConnection.ts';
import { HistoryRecorder } from '../recorder.ts';
import { parseSystem, type SystemDefinition } from '../system/definition.ts';
import { runNemesisCycles } from './cycles.ts';
import { parseNemesis } from './index.ts';
import type { NemesisContext } from './nemesis.ts';

const exampleDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples', 'kvstore');

type Backend = 'proxy' | 'kernel';

function exampleSystem(roles: Record<string, string> = {}, network: Backend = 'proxy'): SystemDefinition {
  const raw = JSON.parse(readFileSync(join(exampleDir, 'system.json'), 'utf8'));
  for (const [id, role] of Object.entries(roles)) raw.nodes[id].role = role;
  raw.network = network;
  return parseSystem(raw, join(exampleDir, 'system.json'));
}

let cluster: ProcessCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

async function start(roles?: Record<string, string>, network: Backend = 'proxy'): Promise<ProcessCluster> {
  cluster = await ProcessCluster.start(exampleSystem(roles, network), { logDir: mkdtempSync(join(tmpdir(), 'sb-nemesis-')) });
  // Seed every key the reads below use.
  const a = cluster.clientAddress('n1');
  expect((await askOnce(a.host, a.port, { type: 'write', key: 'x', value: 1 }, 2000)).kind).toBe('reply');
  return cluster;
}

/** A read at `node` through its client proxy: 'ok', 'error' (any error reply or refused connection) or 'timeout'. */
async function readAt(c: ProcessCluster, node: string, timeoutMs = 2500): Promise<{ result: 'ok' | 'error' | 'timeout'; ms: number }> {
  const a = c.clientAddress(node);
  const t0 = Date.now();
  const out = await askOnce(a.host, a.port, { type: 'read', key: 'x' }, timeoutMs);
  const ms = Date.now() - t0;
  if (out.kind === 'timeout') return { result: 'timeout', ms };
  if (out.kind === 'reply' && out.body.type === 'read_ok') return { result: 'ok', ms };
  return { result: 'error', ms };
}

async function reachability(c: ProcessCluster): Promise<Record<string, boolean>> {
  const ids = c.nodeIds();
  const results = await Promise.all(ids.map((id) => readAt(c, id)));
  return Object.fromEntries(ids.map((id, i) => [id, results[i].result === 'ok']));
}

/**
 * Reachability once a heal has taken effect. Behind the fault proxy a heal
 * closes the connections it held, so nodes reconnect at once; on the kernel
 * backend a connection whose packets were dropped stays open and waits for
 * TCP's next retransmission, which backs off to seconds during a long cut.
 * So wait for every node to answer (or 30 s, TCP's backoff long passed), and
 * return what was last seen.
 */
async function reachabilityAfterHeal(c: ProcessCluster): Promise<Record<string, boolean>> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const seen = await reachability(c);
    if (Object.values(seen).every(Boolean) || Date.now() > deadline) return seen;
  }
}

function ctxWith(c: ProcessCluster, picks: number[]): NemesisContext {
  let i = 0;
  return { cluster: c, pick: (n) => picks[i++ % picks.length] % n };
}

/** In the example store a node answers reads iff it is n1 or its link to n1 is up. */
function expectedReachability(c: ProcessCluster, cut: string[]): Record<string, boolean> {
  return Object.fromEntries(c.nodeIds().map((id) => [id, id === 'n1' || !cut.includes(`${id}->n1`)]));
}

function procState(pid: number): string {
  return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1][0];
}

const allUp = { n1: true, n2: true, n3: true };

const kernelMissing = kernelNetworkUnavailable();
const backends: Array<{ network: Backend; title: string; skip: boolean }> = [
  { network: 'proxy', title: 'fault proxy', skip: false },
  { network: 'kernel', title: `kernel packet rules${kernelMissing ? ` (skipped: ${kernelMissing})` : ''}`, skip: kernelMissing !== null },
];

describe.each(backends)('network nemeses, observed by clients, on the $title', ({ network, skip }) => {
  if (skip) return void it.skip('needs the kernel network backend');
  const up = (roles?: Record<string, string>) => start(roles, network);
  it('partition (random halves) cuts exactly the links between the halves, and heals', async () => {
    const c = await up();
    for (const picks of [[0, 1, 2, 3], [1, 0, 1, 0], [2, 2, 1, 1]]) {
      const [nemesis] = parseNemesis('partition');
      const fault = await nemesis.start(ctxWith(c, picks));
      const [left, right] = fault.value.halves as [string[], string[]];
      expect(left.length + right.length).toBe(3);
      const cut = fault.value.cut as string[];
      for (const a of left) for (const b of right) if (c.nodeLinks().some((l) => l.from === a && l.to === b)) expect(cut).toContain(`${a}->${b}`);
      expect(await reachability(c)).toEqual(expectedReachability(c, cut));
      await fault.heal();
      expect(await reachabilityAfterHeal(c)).toEqual(allUp);
    }
  });

  it('isolate cuts one node off from all others', async () => {
    const c = await up();
    const [nemesis] = parseNemesis('isolate');
    const fault = await nemesis.start(ctxWith(c, [1]));
    const node = fault.value.node as string;
    const expected = node === 'n1' ? { n1: true, n2: false, n3: false } : { ...allUp, [node]: false };
    expect(await reachability(c)).toEqual(expected);
    await fault.heal();
    expect(await reachabilityAfterHeal(c)).toEqual(allUp);
  });

  it('isolate-primary asks who is primary and cuts that node off; its clients still reach it', async () => {
    const c = await up();
    const [nemesis] = parseNemesis('isolate-primary');
    const fault = await nemesis.start(ctxWith(c, [0]));
    expect(fault.value.primary).toBe('n1');
    expect(await reachability(c)).toEqual({ n1: true, n2: false, n3: false });
    await fault.heal();
    expect(await reachabilityAfterHeal(c)).toEqual(allUp);
  });

  it('primary-viewserver cuts the primary from the view server only', async () => {
    const c = await up({ n3: 'viewserver' });
    const [nemesis] = parseNemesis('primary-viewserver', c.def);
    const fault = await nemesis.start(ctxWith(c, [0]));
    expect(fault.value).toMatchObject({ primary: 'n1', viewservers: ['n3'] });
    expect(await reachability(c)).toEqual({ n1: true, n2: true, n3: false });
    await fault.heal();
    expect(await reachabilityAfterHeal(c)).toEqual(allUp);
  });

  it('primary-viewserver refuses a system without a view server, naming the problem', () => {
    expect(() => parseNemesis('primary-viewserver', exampleSystem())).toThrow(/cannot run against kvstore: no node has role "viewserver"/);
  });

  it('bridge leaves one node reaching both sides and cuts the rest apart', async () => {
    const c = await up();
    for (const picks of [[0, 0], [1, 0], [2, 1]]) {
      const [nemesis] = parseNemesis('bridge');
      const fault = await nemesis.start(ctxWith(c, picks));
      const [left, right] = fault.value.halves as [string[], string[]];
      const bridgeNode = fault.value.bridge as string;
      expect(new Set([...left, ...right, bridgeNode])).toEqual(new Set(['n1', 'n2', 'n3']));
      const cut = fault.value.cut as string[];
      expect(cut.some((name) => name.includes(bridgeNode))).toBe(false);
      expect(await reachability(c)).toEqual(expectedReachability(c, cut));
      await fault.heal();
    }
    expect(await reachabilityAfterHeal(c)).toEqual(allUp);
  });

  it('reset mode refuses and resets at once, where drop mode holds until timeouts', async () => {
    const c = await up();
    const [reset] = parseNemesis('isolate-primary:reset');
    let fault = await reset.start(ctxWith(c, [0]));
    expect(fault.value.mode).toBe('reset');
    const fast = await readAt(c, 'n2');
    expect(fast.result).toBe('error');
    expect(fast.ms).toBeLessThan(700); // the store's own forward timeout is 1000 ms: this error came from a reset
    await fault.heal();
    const [drop] = parseNemesis('isolate-primary');
    fault = await drop.start(ctxWith(c, [0]));
    const slow = await readAt(c, 'n2');
    expect(slow.result).toBe('error');
    expect(slow.ms).toBeGreaterThanOrEqual(900); // held bytes: only the store's timeout ends the wait
    await fault.heal();
    expect(await reachabilityAfterHeal(c)).toEqual(allUp);
  });

  it('latency delays messages between nodes (the fault proxy only)', async () => {
    if (network === 'kernel') {
      expect(() => parseNemesis('latency', exampleSystem({}, 'kernel'))).toThrow(/nemesis "latency" cannot run against kvstore: latency needs the fault proxy/);
      return;
    }
    const c = await up();
    const mean = async () => {
      let total = 0;
      for (let i = 0; i < 8; i++) total += (await readAt(c, 'n2')).ms;
      return total / 8;
    };
    const before = await mean();
    const [nemesis] = parseNemesis('latency');
    const fault = await nemesis.start(ctxWith(c, [0]));
    const during = await mean();
    await fault.heal();
    // 100 ms ± 100 ms each way on n2->n1: a round trip averages 200 ms.
    expect(during).toBeGreaterThan(before + 60);
    expect(await reachabilityAfterHeal(c)).toEqual(allUp);
  });
});

describe('process nemeses', () => {
  it('kill stops the node (SIGKILL) and heal restarts it', async () => {
    const c = await start();
    const [nemesis] = parseNemesis('kill');
    const fault = await nemesis.start(ctxWith(c, [2]));
    const node = fault.value.node as string;
    expect(c.nodes.get(node)!.proc.alive()).toBe(false);
    expect((await readAt(c, node)).result).not.toBe('ok');
    await fault.heal();
    expect(c.nodes.get(node)!.proc.alive()).toBe(true);
    // A restarted n1 lost its data (the example store keeps none): read-your-write again.
    const a = c.clientAddress('n1');
    await askOnce(a.host, a.port, { type: 'write', key: 'x', value: 2 }, 2000);
    expect(await reachabilityAfterHeal(c)).toEqual(allUp);
  });

  it('pause stops the node (SIGSTOP) and heal resumes it (SIGCONT)', async () => {
    const c = await start();
    const [nemesis] = parseNemesis('pause');
    const fault = await nemesis.start(ctxWith(c, [1]));
    const node = fault.value.node as string;
    const pid = c.nodes.get(node)!.proc.pid;
    // Signals are delivered asynchronously: wait for the state to show.
    await expect.poll(() => procState(pid), { timeout: 2000 }).toBe('T');
    expect((await readAt(c, node, 800)).result).toBe('timeout');
    await fault.heal();
    await expect.poll(() => procState(pid), { timeout: 2000 }).not.toBe('T');
    expect(await reachabilityAfterHeal(c)).toEqual(allUp);
  });
});

describe('cycles', () => {
  it('alternate quiet and fault, record every start and stop, and end healed', async () => {
    const c = await start();
    const dir = mkdtempSync(join(tmpdir(), 'sb-cycles-'));
    const recorder = new HistoryRecorder(join(dir, 'history.jsonl'));
    // Three cycles and a deadline far beyond them: the plan, not the machine's speed, decides how many run.
    const plan = { cycles: Array.from({ length: 3 }, () => ({ quietMs: 150, faultMs: 250, picks: [0, 1, 2] })) };
    const result = await runNemesisCycles({ nemeses: parseNemesis('isolate-primary+pause'), cluster: c, recorder, plan, durationMs: 600_000 });
    recorder.close();
    const fs = recorder.events.map((e) => e.f);
    expect(result).toEqual({ healErrors: [], cyclesStarted: 3 });
    expect(fs).toHaveLength(12);
    // Parts start together and stop in reverse order.
    for (let i = 0; i < fs.length; i += 4) {
      expect(fs.slice(i, i + 4)).toEqual(['start-isolate-primary', 'start-pause', 'stop-pause', 'stop-isolate-primary']);
    }
    expect(recorder.events.every((e) => e.process === 'nemesis' && e.type === 'info')).toBe(true);
    expect(c.activeNetworkFaults()).toEqual([]);
    expect(await reachabilityAfterHeal(c)).toEqual(allUp);
  });
});
