// Maelstrom nodes as real processes: init before ready, node-to-node
// messages over the link proxies (so faults act on them), the services on
// proxies of their own, kill/restart with a fresh init, pause, and stdout
// lines that are not messages. The probe node (testdata/probeNode.js) does
// what each request asks.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WireConnection, type Outcome } from '../client/wireConnection.ts';
import { ProcessCluster, type ClusterOptions } from '../cluster/cluster.ts';
import { freePort } from '../cluster/ports.ts';
import type { PartitionMode } from '../engine/cluster.ts';
import { parseNemesis } from '../nemeses/index.ts';
import { loadSystem, parseSystem, type SystemDefinition } from '../system/definition.ts';
import { REAL_TOXIPROXY, startRealToxiproxy } from '../toxiproxy/testkit.ts';

const testdata = join(dirname(fileURLToPath(import.meta.url)), 'testdata');
const running: ProcessCluster[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.stop()));
});

/** A cluster of probe nodes that the caller stops. Its logs are written as output arrives: poll them. */
async function startOwned(def = loadSystem(join(testdata, 'probe.json')), opts: Partial<ClusterOptions> = {}) {
  const logDir = mkdtempSync(join(tmpdir(), 'sb-maelstrom-'));
  const cluster = await ProcessCluster.start(def, { logDir, ...opts });
  return { cluster, log: (id: string) => readFileSync(join(logDir, `${id}.log`), 'utf8') };
}

/** A cluster of its own for one test (faults change it), stopped after the test. */
async function start(def?: SystemDefinition, opts: Partial<ClusterOptions> = {}) {
  const started = await startOwned(def, opts);
  running.push(started.cluster);
  return started;
}

let clients = 100;

/** One request from a fresh client through the proxy client->node. */
async function ask(cluster: ProcessCluster, node: string, body: Record<string, unknown>, timeoutMs = 5000): Promise<Outcome> {
  const a = cluster.clientAddress(node);
  const conn = await WireConnection.open(a.host, a.port, timeoutMs, { src: `c${clients++}`, dest: node });
  if ('error' in conn) return { kind: 'closed', sent: false, reason: conn.error };
  try {
    return await conn.request(body, timeoutMs);
  } finally {
    conn.close();
  }
}

/** Asks until a reply comes: after a heal or a restart, the first messages may still meet the old connections. */
async function untilReply(cluster: ProcessCluster, node: string, body: Record<string, unknown>): Promise<Outcome> {
  let out: Outcome = { kind: 'timeout' };
  for (let attempt = 0; attempt < 20 && out.kind !== 'reply'; attempt++) out = await ask(cluster, node, body, 1000);
  return out;
}

const inline = (name: string, script: string) =>
  parseSystem({ name, claims: 'linearizable', protocol: 'maelstrom', nodes: { n1: { command: ['{node}', '-e', script] } } }, join(testdata, `${name}.json`));

describe('maelstrom nodes: one cluster, no faults', () => {
  let shared: Awaited<ReturnType<typeof startOwned>>;
  beforeAll(async () => {
    shared = await startOwned({ ...loadSystem(join(testdata, 'probe.json')), primary: { ask: 'n1' } });
  });
  afterAll(() => shared.cluster.stop());

  it('each node gets init with its own id and the same node_ids, as Maelstrom sends it, and logs stderr to nodes/<id>.log', async () => {
    for (const id of ['n1', 'n2', 'n3']) {
      expect(await ask(shared.cluster, id, { type: 'whoami' })).toMatchObject({ kind: 'reply', body: { type: 'whoami_ok', node_id: id, node_ids: ['n1', 'n2', 'n3'] } });
      await expect.poll(() => shared.log(id)).toContain(`init: ${id} of n1,n2,n3`);
    }
  });

  it('has a proxy per directed link, per node and service, and per client link', async () => {
    const names = shared.cluster.links.map((l) => l.name);
    for (const link of ['n1->n2', 'n3->n1', 'n2->lin-kv', 'n1->seq-kv', 'n3->lww-kv', 'n1->lin-tso', 'client->n2']) expect(names).toContain(link);
    expect(names).toHaveLength(6 + 12 + 3);
  });

  it('any node may answer a client, as in Maelstrom, and a node may message itself', async () => {
    // Asked at n1, answered by n3 straight to the client.
    expect(await ask(shared.cluster, 'n1', { type: 'handoff', to: 'n3' })).toMatchObject({ kind: 'reply', body: { type: 'handoff_ok', by: 'n3' } });
    expect(await ask(shared.cluster, 'n2', { type: 'forward', to: 'n2' })).toMatchObject({ kind: 'reply', body: { type: 'forward_ok' } });
  });

  it('every service answers through the node\'s own proxy to it, with its semantics', async () => {
    const call = (node: string, service: string, request: Record<string, unknown>) => ask(shared.cluster, node, { type: 'call', service, request });
    for (const service of ['lin-kv', 'seq-kv', 'lww-kv']) {
      expect(await call('n1', service, { type: 'write', key: 1, value: 5 })).toMatchObject({ body: { reply: { type: 'write_ok' } } });
      expect(await call('n1', service, { type: 'read', key: '1' })).toMatchObject({ body: { reply: { type: 'error', code: 20 } } });
    }
    expect(await call('n2', 'lin-kv', { type: 'cas', key: 1, from: 5, to: 6 })).toMatchObject({ body: { reply: { type: 'cas_ok' } } });
    expect(await call('n3', 'lin-kv', { type: 'read', key: 1 })).toMatchObject({ body: { reply: { type: 'read_ok', value: 6 } } });
    expect(await call('n3', 'lin-tso', { type: 'ts' })).toMatchObject({ body: { reply: { type: 'ts_ok', ts: 0 } } });
    expect(await call('n1', 'lin-tso', { type: 'ts' })).toMatchObject({ body: { reply: { type: 'ts_ok', ts: 1 } } });
    expect(shared.cluster.maelstromStats()!.services).toMatchObject({ 'lin-kv': 4, 'seq-kv': 2, 'lww-kv': 2, 'lin-tso': 2 });
  });

  it('the harness asks a Maelstrom node who is primary on its stdin', async () => {
    expect(await shared.cluster.primary()).toBe('n2');
  });

  it('stdout lines that are not messages are noted in the node\'s log and counted, and the node carries on', async () => {
    expect(await ask(shared.cluster, 'n1', { type: 'garbage' })).toMatchObject({ body: { type: 'garbage_ok' } });
    expect(await ask(shared.cluster, 'n1', { type: 'echo', echo: 4 })).toMatchObject({ body: { type: 'echo_ok', echo: 4 } });
    expect(shared.cluster.maelstromStats()!.nodes.n1).toMatchObject({ malformed: 2 });
    expect(shared.cluster.maelstromStats()!.nodes.n2).toMatchObject({ malformed: 0 });
    await expect.poll(() => shared.log('n1')).toContain('[splitbrain] stdout line ignored (not valid JSON): this is not json');
    await expect.poll(() => shared.log('n1')).toContain('[splitbrain] stdout line ignored (no "dest"): {"src":"n1","body":{"type":"lost"}}');
  });
});

describe('maelstrom nodes: init', () => {
  it('a node that dies before init_ok, or cannot be started at all, is reported with its command and stderr', async () => {
    await expect(start(inline('dies', "console.error('boom: no config file'); process.exit(3)"))).rejects.toThrow(
      /node n1 exited \(code 3\) before answering init\n {2}command: .* -e [\s\S]*boom: no config file/,
    );
    const missing = parseSystem({ name: 'missing', claims: 'linearizable', protocol: 'maelstrom', nodes: { n1: { command: ['./no-such-node'] } } }, join(testdata, 'missing.json'));
    await expect(start(missing)).rejects.toThrow(/node n1 could not be started\n {2}command: \.\/no-such-node[\s\S]*spawn failed: spawn \.\/no-such-node ENOENT/);
  });

  it('a node that answers init with something else, or never answers, is reported, not counted ready', async () => {
    const answersError = `require('node:readline').createInterface({ input: process.stdin }).on('line', (l) => {
      const m = JSON.parse(l);
      console.log(JSON.stringify({ src: 'n1', dest: m.src, body: { type: 'error', code: 10, in_reply_to: m.body.msg_id } }));
    });`;
    await expect(start(inline('answers-error', answersError))).rejects.toThrow(/node n1 answered init with \{"type":"error","code":10,"in_reply_to":\d+\}, not init_ok/);
    // The silent node is up and reading; whatever the machine's speed, it never answers.
    await expect(start(inline('silent', "console.error('up, saying nothing'); process.stdin.resume()"), { readyTimeoutMs: 300 })).rejects.toThrow(
      /node n1 did not answer init within 300 ms/,
    );
  });
});

describe('maelstrom nodes: ports', () => {
  it('a port taken between allocation and bind, by an inbox or a proxy, means fresh ports, not a failed start', async () => {
    const squatter = createServer();
    await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', () => r()));
    const taken = (squatter.address() as AddressInfo).port;
    let calls = 0;
    // Allocation 1 is a service's listener, which then asks again; 12 is the first proxy (after 4 services and 2 inboxes per node).
    const allocatePort = () => (++calls === 1 || calls === 12 ? Promise.resolve(taken) : freePort());
    try {
      const { cluster } = await start(undefined, { allocatePort });
      expect(cluster.links.map((l) => l.listen.port)).not.toContain(taken);
      expect(await ask(cluster, 'n1', { type: 'forward', to: 'n2' })).toMatchObject({ body: { type: 'forward_ok' } });
    } finally {
      squatter.close();
    }
  });
});

describe('maelstrom nodes: routing through the link proxies', () => {
  it.each<PartitionMode>(['drop', 'reset'])('a partition (%s) cuts node-to-node messages but not client links, and a heal restores them', async (mode) => {
    const { cluster } = await start();
    expect(await ask(cluster, 'n1', { type: 'forward', to: 'n2' })).toMatchObject({ kind: 'reply', body: { type: 'forward_ok' } });
    expect(await cluster.cut([['n1', 'n2']], mode)).toEqual(['n1->n2', 'n2->n1']);
    // The ping cannot cross, whatever the machine's speed; the client still reaches n1, and n1 still reaches n3.
    expect(await ask(cluster, 'n1', { type: 'forward', to: 'n2' }, 1000)).toEqual({ kind: 'timeout' });
    expect(await ask(cluster, 'n1', { type: 'echo', echo: 7 })).toMatchObject({ kind: 'reply', body: { type: 'echo_ok', echo: 7 } });
    expect(await ask(cluster, 'n1', { type: 'forward', to: 'n3' })).toMatchObject({ kind: 'reply', body: { type: 'forward_ok' } });
    await cluster.healNetwork();
    expect(await untilReply(cluster, 'n1', { type: 'forward', to: 'n2' })).toMatchObject({ kind: 'reply', body: { type: 'forward_ok' } });
  });
});

describe('maelstrom nodes: an external Toxiproxy (both legs of a relayed message over TCP)', () => {
  if (REAL_TOXIPROXY === null) console.warn('\n*** maelstrom test against a real Toxiproxy SKIPPED: ../shared/anchors/bin/toxiproxy-server is absent ***\n');
  it.skipIf(REAL_TOXIPROXY === null).each<PartitionMode>(['drop', 'reset'])(`a partition (%s) on a real Toxiproxy 2.12${REAL_TOXIPROXY === null ? ' (skipped: ../shared is absent)' : ''} cuts node-to-node messages, and a heal restores them`, async (mode) => {
    const real = await startRealToxiproxy();
    let cluster: ProcessCluster | undefined;
    try {
      ({ cluster } = await startOwned(undefined, { toxiproxyUrl: real.url }));
      expect(await ask(cluster, 'n1', { type: 'forward', to: 'n2' })).toMatchObject({ kind: 'reply', body: { type: 'forward_ok' } });
      await cluster.cut([['n1', 'n2']], mode);
      expect(await ask(cluster, 'n1', { type: 'forward', to: 'n2' }, 1000)).toEqual({ kind: 'timeout' });
      expect(await ask(cluster, 'n1', { type: 'forward', to: 'n3' })).toMatchObject({ kind: 'reply', body: { type: 'forward_ok' } });
      await cluster.healNetwork();
      expect(await untilReply(cluster, 'n1', { type: 'forward', to: 'n2' })).toMatchObject({ kind: 'reply', body: { type: 'forward_ok' } });
    } finally {
      await cluster?.stop(); // removes its proxies from the Toxiproxy, so before that stops
      await real.close();
    }
  });
});

describe('maelstrom nodes: services', () => {
  it('the isolate-services nemesis cuts one node off from every service, and its heal restores them', async () => {
    const { cluster } = await start();
    const [nemesis] = parseNemesis('isolate-services', cluster.def);
    const fault = await nemesis.start({ cluster, pick: () => 0 });
    expect(fault.value).toMatchObject({ node: 'n1', mode: 'drop', cut: ['n1->lin-kv', 'n1->seq-kv', 'n1->lww-kv', 'n1->lin-tso'] });
    const ts = { type: 'call', service: 'lin-tso', request: { type: 'ts' } };
    expect(await ask(cluster, 'n1', ts, 1000)).toEqual({ kind: 'timeout' });
    expect(await ask(cluster, 'n2', ts)).toMatchObject({ body: { reply: { type: 'ts_ok' } } });
    await fault.heal();
    expect(await untilReply(cluster, 'n1', ts)).toMatchObject({ body: { reply: { type: 'ts_ok' } } });
    expect(() => parseNemesis('isolate-services', loadSystem('examples/kvstore/system.json'))).toThrow(/only Maelstrom nodes/);
  });
});

describe('maelstrom nodes: process faults', () => {
  it('a killed node drops its connections, and restarts as a fresh process that is sent init again', async () => {
    const { cluster, log } = await start();
    const a = cluster.clientAddress('n2');
    const conn = (await WireConnection.open(a.host, a.port, 5000, { src: 'c900', dest: 'n2' })) as WireConnection;
    expect(await conn.request({ type: 'echo', echo: 1 }, 5000)).toMatchObject({ kind: 'reply' });
    const before = cluster.nodes.get('n2')!.proc.pid;
    await cluster.kill('n2');
    expect(await conn.request({ type: 'echo', echo: 2 }, 5000)).toMatchObject({ kind: 'closed' });
    await cluster.restart('n2');
    expect(cluster.nodes.get('n2')!.proc.pid).not.toBe(before);
    await expect.poll(() => log('n2').match(/init: n2 of n1,n2,n3/g)?.length).toBe(2);
    expect(await untilReply(cluster, 'n1', { type: 'forward', to: 'n2' })).toMatchObject({ body: { type: 'forward_ok' } });
  });

  it('a paused node holds the messages sent to it and answers them when resumed', async () => {
    const { cluster } = await start();
    await cluster.pause('n2');
    const pending = ask(cluster, 'n1', { type: 'forward', to: 'n2' }, 60_000);
    // n1 is not paused: it answers while n2 sleeps.
    expect(await ask(cluster, 'n1', { type: 'echo', echo: 3 })).toMatchObject({ body: { type: 'echo_ok' } });
    await cluster.resume('n2');
    expect(await pending).toMatchObject({ kind: 'reply', body: { type: 'forward_ok' } });
  });
});

describe('maelstrom nodes: stdout that is not a message', () => {
  it('half a message left when a node dies is counted once its stdout is drained, not lost or cut short', async () => {
    const { cluster, log } = await start();
    expect(await ask(cluster, 'n3', { type: 'exit_midline' })).toMatchObject({ kind: 'closed' });
    await expect.poll(() => cluster.maelstromStats()!.nodes.n3.malformed, { timeout: 10_000 }).toBe(1);
    await expect.poll(() => log('n3')).toContain('[splitbrain] stdout line ignored (an unfinished line when its stdout closed): {"src":"n1","dest":"c1","bo');
  });
});
