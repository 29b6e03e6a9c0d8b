// What the Maelstrom relay costs. Three figures:
// - round trip of one node-to-node message and its reply, one at a time:
//   TCP nodes talking directly (no proxy), TCP nodes through the link proxy,
//   Maelstrom nodes through relay and proxy. (proxy - direct) / 2 is one proxy
//   hop per message; (maelstrom - proxy) / 2 is what the relay adds per
//   message (stdout, routing, stdin). The target: no more than one proxy hop.
// - messages per second a 3-node Maelstrom cluster exchanges, every node
//   flooding both others with pings (64 unanswered at a time), pongs counted;
//   the same for TCP nodes.
// - the harness's CPU time per message in that flood: with TCP nodes it only
//   proxies (one hop), with Maelstrom nodes it relays too; the difference is
//   the relay's cost.
// Both node programs do the same work (bench/nodes/tcpFlood.js and the
// probe node of the Maelstrom tests). Latency is judged on the best rounds
// (the least disturbed by other work on the machine); spread is shown.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WireConnection } from '../harness/client/wireConnection.ts';
import { ProcessCluster } from '../harness/cluster/cluster.ts';
import { parseSystem } from '../harness/system/definition.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const REPEATS = 10;
const ROUND_TRIPS = 500;
const FLOOD_PINGS = 4000;
const FLOOD_WINDOW = 64;

type Kind = 'tcp' | 'maelstrom';

function system(kind: Kind) {
  const ids = ['n1', 'n2', 'n3'];
  const nodes = Object.fromEntries(
    ids.map((id) => [
      id,
      kind === 'tcp'
        ? { connectsTo: ids.filter((o) => o !== id), command: ['{node}', 'bench/nodes/tcpFlood.js', '--id', '{id}', '--listen', '{listen}', '--peers', '{peers}'] }
        : { command: ['{node}', 'harness/maelstrom/testdata/probeNode.js'] },
    ]),
  );
  return parseSystem({ name: `bench-${kind}`, claims: 'linearizable', protocol: kind, nodes, clientNodes: ids }, join(root, 'bench.json'));
}

async function client(cluster: ProcessCluster, kind: Kind, node: string): Promise<WireConnection> {
  const a = cluster.clientAddress(node);
  const conn = await WireConnection.open(a.host, a.port, 10_000, kind === 'maelstrom' ? { src: `c${100 + Number(node.slice(1))}`, dest: node } : undefined);
  if ('error' in conn) throw new Error(`cannot reach ${node}: ${conn.error}`);
  return conn;
}

/** Seconds for one flood request to be answered. */
async function flood(conn: WireConnection, body: Record<string, unknown>): Promise<number> {
  const t0 = performance.now();
  const out = await conn.request({ type: 'flood', ...body }, 120_000);
  if (out.kind !== 'reply' || out.body.type !== 'flood_ok') throw new Error(`flood failed: ${JSON.stringify(out)}`);
  return (performance.now() - t0) / 1000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const us = (s: number) => `${(s * 1e6).toFixed(s < 1e-5 ? 1 : 0)} µs`;
const spread = (xs: number[], f: (x: number) => string) => `${f(Math.min(...xs))}–${f(Math.max(...xs))}`;

export async function run(): Promise<void> {
  // Both clusters run side by side and the measurements alternate, so a burst of
  // other work on the machine falls on all of them alike.
  const logDirs = [mkdtempSync(join(tmpdir(), 'sb-bench-maelstrom-')), mkdtempSync(join(tmpdir(), 'sb-bench-maelstrom-'))];
  const tcp = await ProcessCluster.start(system('tcp'), { logDir: logDirs[0] });
  const mael = await ProcessCluster.start(system('maelstrom'), { logDir: logDirs[1] });
  try {
    const conns = { tcp: await Promise.all(['n1', 'n2', 'n3'].map((n) => client(tcp, 'tcp', n))), maelstrom: await Promise.all(['n1', 'n2', 'n3'].map((n) => client(mael, 'maelstrom', n))) };
    const n2 = tcp.nodes.get('n2')!.listen;
    const ways = {
      direct: () => flood(conns.tcp[0], { to: 'n2', count: ROUND_TRIPS, window: 1, direct: `${n2.host}:${n2.port}` }),
      proxy: () => flood(conns.tcp[0], { to: 'n2', count: ROUND_TRIPS, window: 1 }),
      maelstrom: () => flood(conns.maelstrom[0], { to: 'n2', count: ROUND_TRIPS, window: 1 }),
    };
    const rtt: Record<keyof typeof ways, number[]> = { direct: [], proxy: [], maelstrom: [] };
    for (const way of Object.values(ways)) await way(); // warm up: first dials, JIT
    for (let r = 0; r < REPEATS; r++) for (const [name, way] of Object.entries(ways)) rtt[name as keyof typeof ways].push((await way()) / ROUND_TRIPS);
    const rate: Record<Kind, number[]> = { tcp: [], maelstrom: [] };
    // The harness's own CPU time per message (this process runs the proxies and the relays):
    // steadier than latency on a shared machine, and it is what bounds a cluster's throughput.
    const cpu: Record<Kind, number[]> = { tcp: [], maelstrom: [] };
    const messages = 6 * FLOOD_PINGS * 2;
    for (let r = 0; r < REPEATS; r++) {
      for (const kind of ['tcp', 'maelstrom'] as const) {
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        await Promise.all(
          conns[kind].flatMap((conn, i) => ['n1', 'n2', 'n3'].filter((_, j) => j !== i).map((to) => flood(conn, { to, count: FLOOD_PINGS, window: FLOOD_WINDOW }))),
        );
        const used = process.cpuUsage(c0);
        rate[kind].push(messages / ((performance.now() - t0) / 1000));
        cpu[kind].push((used.user + used.system) / 1e6 / messages);
      }
    }
    for (const c of [...conns.tcp, ...conns.maelstrom]) c.close();
    const best = (xs: number[]) => Math.min(...xs);
    const hop = (best(rtt.proxy) - best(rtt.direct)) / 2;
    const relay = (best(rtt.maelstrom) - best(rtt.proxy)) / 2;
    const row = (label: string, xs: number[]) => `  ${label.padEnd(24)} best ${us(best(xs))}, median ${us(median(xs))}  (${spread(xs, us)})\n`;
    process.stdout.write(
      `round trip of one node-to-node message and its reply (${REPEATS} rounds of ${ROUND_TRIPS}, alternating):\n` +
        row('TCP nodes, direct', rtt.direct) +
        row('TCP nodes, via proxy', rtt.proxy) +
        row('Maelstrom nodes, relay', rtt.maelstrom) +
        `  one proxy hop per message: ${us(hop)}; the relay adds per message: ${us(relay)} (best rounds; ` +
        `${relay <= hop ? 'within' : 'MORE than'} one proxy hop)\n` +
        `3-node cluster, every node flooding both others (${FLOOD_WINDOW} in flight each), pings + pongs per second:\n` +
        `  TCP nodes via proxies    median ${median(rate.tcp).toFixed(0)} msg/s  (${spread(rate.tcp, (x) => x.toFixed(0))})\n` +
        `  Maelstrom nodes          median ${median(rate.maelstrom).toFixed(0)} msg/s  (${spread(rate.maelstrom, (x) => x.toFixed(0))})\n` +
        `harness CPU per message in that flood (median): TCP nodes ${us(median(cpu.tcp))} (one proxy hop), ` +
        `Maelstrom nodes ${us(median(cpu.maelstrom))}: the relay's share ${us(median(cpu.maelstrom) - median(cpu.tcp))} ` +
        `(${median(cpu.maelstrom) - median(cpu.tcp) <= median(cpu.tcp) ? 'within' : 'MORE than'} one proxy hop)\n`,
    );
  } finally {
    await Promise.all([tcp.stop(), mael.stop()]);
    for (const d of logDirs) rmSync(d, { recursive: true, force: true });
  }
}
