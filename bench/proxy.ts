// `npm run bench -- proxy`: what one hop through splitbrain's Toxiproxy-
// compatible proxy costs, side by side with the real Toxiproxy 2.12
// (../shared/anchors/bin/toxiproxy-server beside the repository; skipped, and
// said so, where it is absent). Both run as their own processes and face the
// same load generator in this process: 64-byte echo round trips (the hop's
// added p50 latency) and bulk throughput to a discarding sink, plain and with
// a noop toxic on each direction (the toxic chain instead of the direct path).
// Our proxy in this process (as the harness runs it) is measured too. Other
// work shares the machine, so the servers take turns: the order alternates
// from round to round, and each round's bulk figure is taken in slices, one
// server after the other, so that all meet the same load. Figures are
// median [min-max] over the rounds, beside the proxy's CPU time per GiB
// moved, which contention moves less than MB/s.
import { existsSync, readFileSync } from 'node:fs';
import net, { type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { Toxiproxy, type Proxy } from 'toxiproxy-node-client';
import { repoRoot } from '../checkers/corpus-path.ts';
import { freePort } from '../harness/cluster/ports.ts';
import { ProcessOwner } from '../harness/cluster/processes.ts';
import { abortableSleep as sleep } from '../harness/engine/wallClock.ts';
import { spawnToxiproxyServer, startToxiproxyServer } from '../harness/toxiproxy/index.ts';
import { SocketReader } from '../harness/toxiproxy/socketReader.ts';

const ROUNDS = Number(process.env.BENCH_PROXY_ROUNDS ?? 5);
const ECHOES = Number(process.env.BENCH_PROXY_ECHOES ?? 5000);
const BULK_BYTES = Number(process.env.BENCH_PROXY_BULK_MB ?? 512) * 2 ** 20;
/** Each round's bulk figure is taken in this many slices, the servers taking turns, so all see the same load. */
const SLICES = 8;
const REAL_SERVER = join(repoRoot, '..', 'shared', 'anchors', 'bin', 'toxiproxy-server');

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

function connect(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', noDelay: true }, () => resolve(s));
    s.once('error', reject);
  });
}

/** Sequential 64-byte echoes on one connection, after a warm-up; sorted round-trip times in µs. */
async function echoTimes(port: number, count: number): Promise<number[]> {
  const s = await connect(port);
  const msg = Buffer.alloc(64, 'e');
  const warmup = Math.min(1000, Math.floor(count / 5));
  const times: number[] = [];
  let pending = 0;
  let started = 0n;
  let i = 0;
  await new Promise<void>((resolve) => {
    const send = () => {
      pending = msg.length;
      started = process.hrtime.bigint();
      s.write(msg);
    };
    s.on('data', (b: Buffer) => {
      pending -= b.length;
      if (pending > 0) return;
      if (i >= warmup) times.push(Number(process.hrtime.bigint() - started) / 1000);
      if (++i >= count + warmup) return resolve();
      send();
    });
    send();
  });
  s.destroy();
  return times.sort((a, b) => a - b);
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;

/**
 * A server that discards what it receives and reports each connection's byte
 * count when the sender closes. It reads through a SocketReader (no buffer
 * allocated per read), so the generator spends little CPU of its own.
 */
async function sinkServer() {
  let waiter: ((n: number) => void) | undefined;
  const server = net.createServer({ pauseOnConnect: true }, (accepted) => {
    let n = 0;
    const reader = new SocketReader();
    reader.onRead = (view) => (n += view.length);
    const sock = reader.adopt(accepted);
    sock.on('error', () => {});
    sock.on('end', () => {
      sock.destroy();
      waiter?.(n);
    });
    sock.resume();
  });
  const port = await listen(server);
  return {
    port,
    /** Resolves with the byte count of the next connection to end. */
    next: () => new Promise<number>((r) => (waiter = r)),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Sends `bytes` through `port` (one 1 MiB block written again and again); milliseconds until the sink has them all. */
async function bulk(port: number, sink: Awaited<ReturnType<typeof sinkServer>>, bytes: number): Promise<number> {
  const received = sink.next();
  const s = await connect(port);
  const block = Buffer.alloc(1 << 20, 'b');
  const t0 = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const pump = () => {
      while (sent < bytes) {
        sent += block.length;
        if (!s.write(block)) return void s.once('drain', pump);
      }
      s.end(resolve);
    };
    pump();
  });
  const n = await received;
  const ms = performance.now() - t0;
  s.destroy();
  if (n !== bytes) throw new Error(`bulk: the sink got ${n} of ${bytes} bytes`);
  return ms;
}

/** CPU seconds (user + system) a process has used so far, or NaN where /proc cannot tell. */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks of 1/100 s
  } catch {
    return NaN;
  }
}

/** The real Toxiproxy as its own process on a free port, owned until `close()`. */
async function startRealToxiproxy(owner: ProcessOwner): Promise<{ url: string; pid: number; version: string }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const proc = owner.start({ name: 'toxiproxy-server', argv: [REAL_SERVER, '-host', '127.0.0.1', '-port', String(port)], cwd: repoRoot });
    const url = `http://127.0.0.1:${port}`;
    while (proc.alive()) {
      const version = await fetch(`${url}/version`).then((r) => (r.ok ? r.text() : undefined), () => undefined);
      if (version !== undefined) return { url, pid: proc.pid, version: (JSON.parse(version) as { version: string }).version };
      await sleep(20);
    }
    // Exited: most likely the port was taken between freePort and its bind.
    if (attempt === 3) throw new Error(`toxiproxy-server did not start: ${proc.tail().trim()}`);
  }
}

interface Server {
  label: string;
  url: string;
  /** Whose CPU time to count; undefined: shares this process. */
  pid: number | undefined;
  echo?: Proxy;
  sink?: Proxy;
  noopSink?: Proxy;
  figures: { added: number[]; p99: number[]; bulk: number[]; noopBulk: number[]; cpuPerGiB: number[]; noopCpuPerGiB: number[] };
}

async function prepare(s: Server, echoPort: number, sinkPort: number): Promise<void> {
  const client = new Toxiproxy(s.url);
  const create = (name: string, port: number) => client.createProxy({ name, listen: '127.0.0.1:0', upstream: `127.0.0.1:${port}` });
  s.echo = await create('bench-echo', echoPort);
  s.sink = await create('bench-sink', sinkPort);
  s.noopSink = await create('bench-sink-noop', sinkPort);
  for (const stream of ['upstream', 'downstream']) {
    await client.getApi().post(`${s.noopSink.getPath()}/toxics`, { type: 'noop', stream });
  }
}

const portOf = (listen: string) => Number(listen.slice(listen.lastIndexOf(':') + 1));

function summary(values: number[], digits = 0): string {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return '-';
  const sorted = [...finite].sort((a, b) => a - b);
  const median = sorted.length % 2 === 1 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
  return `${median.toFixed(digits)} [${sorted[0]!.toFixed(digits)}-${sorted[sorted.length - 1]!.toFixed(digits)}]`;
}

export async function run(): Promise<void> {
  const owner = new ProcessOwner();
  const echoServer = net.createServer((s) => {
    s.setNoDelay(true);
    s.on('error', () => {});
    s.pipe(s);
  });
  const echoPort = await listen(echoServer);
  const sink = await sinkServer();
  const blank = () => ({ added: [], p99: [], bulk: [], noopBulk: [], cpuPerGiB: [], noopCpuPerGiB: [] });
  const ours = await spawnToxiproxyServer();
  const inProcess = await startToxiproxyServer({ port: 0 });
  const servers: Server[] = [{ label: 'ours', url: ours.url, pid: ours.pid, figures: blank() }];
  let realLine: string;
  if (existsSync(REAL_SERVER)) {
    const real = await startRealToxiproxy(owner);
    servers.push({ label: `real ${real.version}`, url: real.url, pid: real.pid, figures: blank() });
    realLine = `real Toxiproxy: ${REAL_SERVER}`;
  } else {
    realLine = `real Toxiproxy: skipped, ${REAL_SERVER} is absent (../shared beside the repository)`;
  }
  const local: Server = { label: 'ours in-process', url: inProcess.url, pid: undefined, figures: blank() };
  try {
    for (const s of [...servers, local]) await prepare(s, echoPort, sink.port);
    process.stdout.write(
      `proxy hop, ${ROUNDS} rounds; per figure ${ECHOES} 64-byte echoes, and ${BULK_BYTES / 2 ** 20} MiB bulk in ${SLICES} slices, the servers taking turns; MB = 10^6 bytes\n${realLine}\n\n`,
    );
    const directP50: number[] = [];
    const directBulk: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      // Alternate who goes first, so a drift in the machine's load favours no one.
      const order = r % 2 === 0 ? servers : [...servers].reverse();
      const d = pct(await echoTimes(echoPort, ECHOES), 50);
      directP50.push(d);
      for (const s of [...order, local]) {
        const times = await echoTimes(portOf(s.echo!.listen), ECHOES);
        s.figures.added.push(pct(times, 50) - d);
        s.figures.p99.push(pct(times, 99));
      }
      /** MB/s through each server's `proxy`, and the CPU seconds per GiB it spent (idle while the others take their turns). */
      const bulkTurns = async (servers: Server[], proxy: (s: Server) => Proxy): Promise<[number, number][]> => {
        const ms = servers.map(() => 0);
        const cpu0 = servers.map((s) => cpuSeconds(s.pid));
        for (let k = 0; k < SLICES; k++) {
          for (const [i, s] of servers.entries()) ms[i]! += await bulk(portOf(proxy(s).listen), sink, BULK_BYTES / SLICES);
        }
        return servers.map((s, i) => [BULK_BYTES / 1e6 / (ms[i]! / 1000), (cpuSeconds(s.pid) - cpu0[i]!) / (BULK_BYTES / 2 ** 30)]);
      };
      const turns = [...order, local];
      directBulk.push(BULK_BYTES / 1e6 / ((await bulk(sink.port, sink, BULK_BYTES)) / 1000));
      for (const [i, [rate, cpu]] of (await bulkTurns(turns, (s) => s.sink!)).entries()) {
        turns[i]!.figures.bulk.push(rate);
        turns[i]!.figures.cpuPerGiB.push(cpu);
      }
      for (const [i, [rate, cpu]] of (await bulkTurns(turns, (s) => s.noopSink!)).entries()) {
        turns[i]!.figures.noopBulk.push(rate);
        turns[i]!.figures.noopCpuPerGiB.push(cpu);
      }
      const cells = [...servers, local].map(
        (s) => `${s.label} +${s.figures.added[r]!.toFixed(0)} µs ${s.figures.bulk[r]!.toFixed(0)} MB/s (noop ${s.figures.noopBulk[r]!.toFixed(0)})`,
      );
      process.stdout.write(`  round ${r + 1} (${order[0]!.label} first): direct ${d.toFixed(0)} µs ${directBulk[r]!.toFixed(0)} MB/s | ${cells.join(' | ')}\n`);
    }
    const rows: [string, (s: Server) => string][] = [
      ['64-byte echo, added p50 (µs)', (s) => summary(s.figures.added)],
      ['64-byte echo through, p99 (µs)', (s) => summary(s.figures.p99)],
      ['bulk (MB/s)', (s) => summary(s.figures.bulk)],
      ['bulk, noop toxic each way (MB/s)', (s) => summary(s.figures.noopBulk)],
      ['proxy CPU per GiB of bulk (s)', (s) => summary(s.figures.cpuPerGiB, 2)],
      ['  with the noop toxics (s)', (s) => summary(s.figures.noopCpuPerGiB, 2)],
    ];
    const all = [...servers, local];
    const width = 34;
    const col = 22;
    const lines = [
      '',
      `  ${'median [min-max]'.padEnd(width)}${all.map((s) => s.label.padEnd(col)).join('')}`,
      `  ${'direct, no proxy'.padEnd(width)}echo p50 ${summary(directP50)} µs, bulk ${summary(directBulk)} MB/s`,
      ...rows.map(([name, f]) => `  ${name.padEnd(width)}${all.map((s) => f(s).padEnd(col)).join('')}`),
    ];
    if (servers.length === 2) {
      const [a, b] = servers as [Server, Server];
      const wins = a.figures.bulk.filter((v, i) => v >= b.figures.bulk[i]!).length;
      lines.push(`  bulk: ours at or above the real server in ${wins} of ${ROUNDS} rounds`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await inProcess.close();
    await ours.close();
    await owner.stopAll();
    await sink.close();
    await new Promise<void>((r) => echoServer.close(() => r()));
  }
}
