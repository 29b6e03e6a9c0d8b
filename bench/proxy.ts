// `npm run bench proxy`: what one hop through splitbrain's Toxiproxy-compatible
// proxy costs. 64-byte echo round trips (p50/p99) direct and through the
// proxy, and bulk throughput through it, with the proxy running as its own
// process (as `npm run proxy` runs it) and in-process (as the harness may
// run it). Reference: the real Toxiproxy 2.12 adds about 50-200 µs p50 per
// round trip and moves 610-670 MB/s on this kind of machine.
import net, { type AddressInfo, type Socket } from 'node:net';
import { Toxiproxy } from 'toxiproxy-node-client';
import { spawnToxiproxyServer, startToxiproxyServer } from '../harness/toxiproxy/index.ts';

const ROUNDS = Number(process.env.BENCH_PROXY_ROUNDS ?? 3);
const ECHOES = Number(process.env.BENCH_PROXY_ECHOES ?? 10_000);
const BULK_BYTES = Number(process.env.BENCH_PROXY_BULK_MB ?? 1024) * 1024 * 1024;

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

/** Sequential 64-byte echoes on one connection; returns sorted round-trip times in µs. */
async function echoTimes(port: number, count: number): Promise<number[]> {
  const s = await connect(port);
  const msg = Buffer.alloc(64, 'e');
  const times: number[] = [];
  let pending = 0;
  let started = 0n;
  let resolveAll!: () => void;
  const done = new Promise<void>((r) => (resolveAll = r));
  const warmup = Math.min(1000, count / 5);
  let i = 0;
  s.on('data', (b: Buffer) => {
    pending -= b.length;
    if (pending > 0) return;
    const us = Number(process.hrtime.bigint() - started) / 1000;
    if (i >= warmup) times.push(us);
    if (++i >= count + warmup) return resolveAll();
    send();
  });
  const send = () => {
    pending = msg.length;
    started = process.hrtime.bigint();
    s.write(msg);
  };
  send();
  await done;
  s.destroy();
  return times.sort((a, b) => a - b);
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;

/** Sends `bytes` through `port` to a discarding sink; MiB/s as the sink counts them. */
async function bulk(port: number, sinkDone: () => Promise<number>, bytes: number): Promise<number> {
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
  const received = await sinkDone();
  const ms = performance.now() - t0;
  s.destroy();
  if (received !== bytes) throw new Error(`bulk: sink got ${received} of ${bytes} bytes`);
  return bytes / (1024 * 1024) / (ms / 1000);
}

/** A sink server whose next connection's byte count resolves when the sender closes. */
async function sinkServer() {
  let waiter: ((n: number) => void) | undefined;
  const server = net.createServer((sock) => {
    let n = 0;
    sock.on('data', (b: Buffer) => (n += b.length));
    sock.on('end', () => {
      sock.destroy();
      waiter?.(n);
    });
    sock.on('error', () => {});
  });
  const port = await listen(server);
  return {
    port,
    next: () => () => new Promise<number>((r) => (waiter = r)),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

function fmt(values: number[], unit: string, digits = 0): string {
  const best = unit === 'MiB/s' ? Math.max(...values) : Math.min(...values);
  return `${best.toFixed(digits)} ${unit} (runs: ${values.map((v) => v.toFixed(digits)).join(', ')})`;
}

async function measure(label: string, url: string): Promise<void> {
  const echoServer = net.createServer((s) => {
    s.setNoDelay(true);
    s.on('error', () => {});
    s.pipe(s);
  });
  const echoPort = await listen(echoServer);
  const sink = await sinkServer();
  const client = new Toxiproxy(url);
  const echoProxy = await client.createProxy({ name: 'bench-echo', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echoPort}` });
  const sinkProxy = await client.createProxy({ name: 'bench-sink', listen: '127.0.0.1:0', upstream: `127.0.0.1:${sink.port}` });
  const portOf = (l: string) => Number(l.slice(l.lastIndexOf(':') + 1));

  const direct50: number[] = [];
  const direct99: number[] = [];
  const proxied50: number[] = [];
  const proxied99: number[] = [];
  const added: number[] = [];
  const directMBs: number[] = [];
  const proxiedMBs: number[] = [];
  const chain50: number[] = [];
  const chain99: number[] = [];
  const chainMBs: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const d = await echoTimes(echoPort, ECHOES);
    const p = await echoTimes(portOf(echoProxy.listen), ECHOES);
    direct50.push(pct(d, 50));
    direct99.push(pct(d, 99));
    proxied50.push(pct(p, 50));
    proxied99.push(pct(p, 99));
    added.push(pct(p, 50) - pct(d, 50));
    directMBs.push(await bulk(sink.port, sink.next(), BULK_BYTES));
    proxiedMBs.push(await bulk(portOf(sinkProxy.listen), sink.next(), BULK_BYTES));
    // The toxic path: a noop toxic on each direction forces the stub chain.
    for (const p of [echoProxy, sinkProxy]) {
      for (const stream of ['upstream', 'downstream']) {
        await client.getApi().post(`${p.getPath()}/toxics`, { type: 'noop', stream });
      }
    }
    const c = await echoTimes(portOf(echoProxy.listen), ECHOES);
    chain50.push(pct(c, 50));
    chain99.push(pct(c, 99));
    chainMBs.push(await bulk(portOf(sinkProxy.listen), sink.next(), BULK_BYTES));
    for (const p of [echoProxy, sinkProxy]) {
      for (const stream of ['upstream', 'downstream']) await client.getApi().delete(`${p.getPath()}/toxics/noop_${stream}`);
    }
  }
  process.stdout.write(
    [
      `proxy ${label}, ${ROUNDS} rounds of ${ECHOES} echoes and ${BULK_BYTES / 2 ** 20} MiB bulk:`,
      `  64-byte echo RTT direct         p50 ${fmt(direct50, 'µs')}   p99 ${fmt(direct99, 'µs')}`,
      `  64-byte echo RTT through proxy  p50 ${fmt(proxied50, 'µs')}   p99 ${fmt(proxied99, 'µs')}`,
      `  added by the hop (p50)          ${fmt(added, 'µs')}   target <= ~50-200 µs`,
      `  bulk direct                     ${fmt(directMBs, 'MiB/s')}`,
      `  bulk through proxy              ${fmt(proxiedMBs, 'MiB/s')}   target >= 610 MB/s (Toxiproxy 2.12)`,
      `  with a noop toxic per direction (toxic chain instead of the direct path):`,
      `  64-byte echo RTT                p50 ${fmt(chain50, 'µs')}   p99 ${fmt(chain99, 'µs')}`,
      `  bulk                            ${fmt(chainMBs, 'MiB/s')}`,
      '',
    ].join('\n'),
  );
  await echoProxy.remove();
  await sinkProxy.remove();
  await sink.close();
  await new Promise<void>((r) => echoServer.close(() => r()));
}

export async function run(): Promise<void> {
  const child = await spawnToxiproxyServer();
  try {
    await measure('as a separate process', child.url);
  } finally {
    await child.close();
  }
  const inProcess = await startToxiproxyServer({ port: 0 });
  try {
    await measure('in-process (same event loop as the load generator)', inProcess.url);
  } finally {
    await inProcess.close();
  }
}
