// In-process connections (inProcess.ts): a MemorySocket behaves as a socket
// where the proxy and its endpoints depend on it, and a proxy treats a
// connection in memory exactly as a TCP one. The proxy tests run twice, with
// both legs (client -> proxy, proxy -> upstream) in memory and both over
// TCP, and assert the same outcomes. Every wait is for an event.
import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { Toxiproxy, type ICreateToxicBody, type Proxy } from 'toxiproxy-node-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dialInProcess, MemorySocket, serveInProcess } from './inProcess.ts';
import { startToxiproxyServer, type ToxiproxyServer } from './server.ts';

type Transport = 'memory' | 'tcp';

/** What a stream received, and promises for its milestones. */
function observe(s: Duplex) {
  const chunks: Buffer[] = [];
  let bytes = 0;
  let error: string | undefined;
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  s.on('data', (b: Buffer) => {
    chunks.push(b);
    bytes += b.length;
    for (const w of waiters.splice(0)) if (bytes >= w.n) w.resolve();
    else waiters.push(w);
  });
  s.on('error', (e: NodeJS.ErrnoException) => (error ??= e.code ?? e.message));
  const closed = new Promise<{ error: string | undefined; at: number; bytes: number }>((r) => s.once('close', () => r({ error, at: performance.now(), bytes })));
  return {
    text: () => Buffer.concat(chunks).toString(),
    bytes: () => bytes,
    closed,
    /** Resolves once `n` bytes have arrived. */
    received: (n: number) => (bytes >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve }))),
  };
}

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('MemorySocket', () => {
  it('carries bytes in order both ways, and end() reaches the peer as end of stream after them', async () => {
    const [a, b] = MemorySocket.pair(false, true);
    const atB = observe(b);
    const atA = observe(a);
    a.write('one,');
    a.write('two');
    a.end();
    await once(b, 'end');
    expect(atB.text()).toBe('one,two');
    // b allows half-open: it may still answer, and a (which does not) closes once it has.
    b.end('reply');
    await atA.closed;
    expect(atA.text()).toBe('reply');
    await atB.closed;
  });

  it('destroy() is a close: the peer reads what was sent, then end of stream, and closes', async () => {
    const [a, b] = MemorySocket.pair(false, false);
    const atB = observe(b);
    a.write('last words');
    a.destroy();
    expect(await atB.closed).toMatchObject({ error: undefined, bytes: 10 });
    expect(atB.text()).toBe('last words');
  });

  it('resetAndDestroy() is a reset: the peer gets ECONNRESET and loses what it had not read', async () => {
    const [a, b] = MemorySocket.pair(false, false);
    b.pause();
    a.write('unread');
    await tick();
    expect(b.readableLength).toBe(6);
    const atB = observe(b); // attached paused: nothing is read before the reset
    b.pause();
    a.resetAndDestroy();
    expect(await atB.closed).toMatchObject({ error: 'ECONNRESET', bytes: 0 });
  });

  it('a reader that stops holds the writer back (write() returns false), and nothing is lost when it reads again', async () => {
    const [a, b] = MemorySocket.pair(false, false);
    const chunk = Buffer.alloc(64 * 1024, 7);
    b.pause();
    let accepted = true;
    for (let i = 0; i < 8; i++) accepted = a.write(chunk);
    expect(accepted).toBe(false);
    await tick();
    // The peer took one chunk, the rest waits at the writer, as bytes wait in a full TCP window
    // (the writer counts the chunk taken until the peer reads it: its write is not done before).
    expect(b.readableLength).toBe(chunk.length);
    expect(a.writableLength).toBe(8 * chunk.length);
    const atB = observe(b);
    b.resume();
    await once(a, 'drain');
    await atB.received(8 * chunk.length);
    expect(atB.bytes()).toBe(8 * chunk.length);
  });
});

describe('in-process dialling', () => {
  it('an address no listener of this process registered is not dialled in memory (the caller takes TCP)', async () => {
    const server = net.createServer((s) => s.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    expect(dialInProcess('127.0.0.1', port)).toBeUndefined();
    serveInProcess(server, (s) => s.end('in memory'));
    const s = dialInProcess('127.0.0.1', port)!;
    const seen = observe(s);
    await once(s, 'connect');
    await seen.closed;
    expect(seen.text()).toBe('in memory');
    // Spelled otherwise, it is another address: TCP.
    expect(dialInProcess('localhost', port)).toBeUndefined();
    await new Promise<void>((r) => server.close(() => r()));
    expect(dialInProcess('127.0.0.1', port)).toBeUndefined();
  });

  it('a listener that stops before it accepts refuses the dial, as TCP would', async () => {
    let accepted = 0;
    const server = net.createServer(() => accepted++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    serveInProcess(server, () => accepted++);
    const s = dialInProcess('127.0.0.1', (server.address() as AddressInfo).port)!;
    let connected = false;
    s.once('connect', () => (connected = true));
    const seen = observe(s);
    server.close();
    expect(await seen.closed).toMatchObject({ error: 'ECONNREFUSED' });
    expect(connected).toBe(false);
    expect(accepted).toBe(0);
  });
});

// Each leg on its own: a TCP client of a proxy whose upstream is in memory
// (a harness client's link to a Maelstrom node) hands the proxy's reused read
// buffers to a MemorySocket.
const legs: Array<{ client: Transport; upstream: Transport }> = [
  { client: 'memory', upstream: 'memory' },
  { client: 'tcp', upstream: 'tcp' },
  { client: 'tcp', upstream: 'memory' },
  { client: 'memory', upstream: 'tcp' },
];

describe.each(legs)('a proxy of the in-process server, client leg over $client, upstream leg over $upstream', ({ client, upstream: upstreamLeg }) => {
  let server: ToxiproxyServer;
  let api: Toxiproxy;
  let upstream: Awaited<ReturnType<typeof upstreamServer>>;
  let proxy: Proxy;
  let port: number;

  /** The proxy's upstream: echoes unless `onSocket` says otherwise; registered for in-process dials if its leg is in memory. */
  async function upstreamServer(onSocket: (s: Duplex) => void = (s) => s.pipe(s)) {
    const kinds: Transport[] = [];
    const sockets: Duplex[] = [];
    let received = '';
    let first!: (s: Duplex) => void;
    const accepted = new Promise<Duplex>((r) => (first = r));
    const handle = (s: Duplex) => {
      kinds.push(s instanceof MemorySocket ? 'memory' : 'tcp');
      sockets.push(s);
      s.on('error', () => undefined);
      s.on('data', (b: Buffer) => (received += b.toString()));
      onSocket(s);
      first(s);
    };
    const srv = net.createServer(handle);
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    if (upstreamLeg === 'memory') serveInProcess(srv, handle);
    return {
      port: (srv.address() as AddressInfo).port,
      kinds,
      sockets,
      /** The first connection it accepted. */
      accepted,
      received: () => received,
      close: () =>
        new Promise<void>((r) => {
          for (const s of sockets) s.destroy();
          srv.close(() => r());
        }),
    };
  }

  async function newProxy(name: string, up: { port: number }): Promise<Proxy> {
    return api.createProxy({ name, listen: '127.0.0.1:0', upstream: `127.0.0.1:${up.port}` });
  }

  /** A connection to the proxy at `p` over the client leg's transport, once connected. */
  async function dial(p = port): Promise<Duplex> {
    const s = client === 'memory' ? dialInProcess('127.0.0.1', p) : net.connect({ host: '127.0.0.1', port: p });
    expect(s, 'the proxy is registered for in-process dials').toBeDefined();
    s!.on('error', () => undefined);
    await once(s!, 'connect');
    return s!;
  }

  async function echo(s: Duplex, text: string): Promise<string> {
    let got = '';
    const onData = (b: Buffer) => (got += b.toString());
    s.on('data', onData);
    s.write(text);
    while (got.length < text.length) await once(s, 'data');
    s.off('data', onData);
    return got;
  }

  /** Resolves on a TCP connect's outcome: 'connected' or its error code. */
  function tcpOutcome(p: number): Promise<string> {
    return new Promise((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port: p });
      s.once('connect', () => {
        s.destroy();
        resolve('connected');
      });
      s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    });
  }

  const portOf = (listen: string) => Number(listen.slice(listen.lastIndexOf(':') + 1));
  const toxic = (type: string, attributes: object, extra: object = {}) => proxy.addToxic({ type, attributes, ...extra } as ICreateToxicBody<unknown>);

  beforeEach(async () => {
    server = await startToxiproxyServer({ port: 0 });
    api = new Toxiproxy(server.url);
    upstream = await upstreamServer();
    proxy = await newProxy('n1->n2', upstream);
    port = portOf(proxy.listen);
  });
  afterEach(async () => {
    await server.close();
    await upstream.close();
  });

  it('carries bytes both ways, each leg over the transport asked for', async () => {
    const s = await dial();
    expect(await echo(s, 'hello')).toBe('hello');
    expect(upstream.kinds).toEqual([upstreamLeg]);
    s.destroy();
  });

  it('disabling closes open connections and refuses new ones; enabling accepts again', async () => {
    const s = await dial();
    const seen = observe(s);
    await echo(s, 'up');
    await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    await seen.closed;
    // Not dialled in memory any more: the caller's TCP dial is refused, as for any stopped listener.
    expect(dialInProcess('127.0.0.1', port)).toBeUndefined();
    expect(await tcpOutcome(port)).toBe('ECONNREFUSED');
    await proxy.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
    const again = await dial();
    expect(await echo(again, 'again')).toBe('again');
    again.destroy();
  });

  it('deleting the proxy closes its connections and its address', async () => {
    const s = await dial();
    const seen = observe(s);
    await echo(s, 'up');
    await proxy.remove();
    await seen.closed;
    expect(dialInProcess('127.0.0.1', port)).toBeUndefined();
    expect(await tcpOutcome(port)).toBe('ECONNREFUSED');
  });

  it('reset_peer: both the client and the upstream get ECONNRESET', async () => {
    await toxic('reset_peer', { timeout: 20 }, { stream: 'upstream' });
    const s = await dial();
    const seen = observe(s);
    s.write('hello');
    const atUpstream = await upstream.accepted;
    const upstreamError = new Promise<string>((resolve) => {
      atUpstream.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
      atUpstream.once('close', () => resolve('closed without an error'));
    });
    expect((await seen.closed).error).toBe('ECONNRESET');
    expect(await upstreamError).toBe('ECONNRESET');
  });

  it('timeout N: the upstream gets nothing, and the connection closes after N ms', async () => {
    await toxic('timeout', { timeout: 100 }, { stream: 'upstream' });
    const t0 = performance.now();
    const s = await dial();
    const seen = observe(s);
    s.write('dropped');
    const atUpstream = await upstream.accepted;
    const upstreamClosed = atUpstream.destroyed ? Promise.resolve() : once(atUpstream, 'close');
    const { at, bytes } = await seen.closed;
    expect(at - t0).toBeGreaterThanOrEqual(95);
    expect(bytes).toBe(0);
    await upstreamClosed;
    expect(upstream.received()).toBe('');
  });

  it('timeout 0 holds what is sent; removing it closes the connection, delivering none of it', async () => {
    await upstream.close();
    // The greeting comes back the other way: once it is in, both links of the connection run.
    upstream = await upstreamServer((u) => u.write('ready'));
    const p = await newProxy('held', upstream);
    const t = await p.addToxic({ type: 'timeout', stream: 'upstream', attributes: { timeout: 0 } } as ICreateToxicBody<unknown>);
    const s = await dial(portOf(p.listen));
    const seen = observe(s);
    await seen.received('ready'.length);
    s.write('into the void');
    await t.remove();
    await seen.closed;
    expect(upstream.received()).toBe('');
  });

  it('limit_data cuts the stream at exactly N bytes and closes', async () => {
    await toxic('limit_data', { bytes: 1000 });
    const s = await dial();
    const seen = observe(s);
    s.write(Buffer.alloc(600, 'a'));
    s.write(Buffer.alloc(600, 'b'));
    const { bytes } = await seen.closed;
    expect(bytes).toBe(1000);
    expect(seen.text()).toBe('a'.repeat(600) + 'b'.repeat(400));
  });

  it('latency holds each message for at least its latency', async () => {
    await toxic('latency', { latency: 60 });
    const s = await dial();
    const t0 = performance.now();
    expect(await echo(s, 'slow')).toBe('slow');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(58);
    s.destroy();
  });

  it('slicer and bandwidth pass every byte, in order', async () => {
    await toxic('slicer', { average_size: 100, size_variation: 20, delay: 100 });
    await toxic('bandwidth', { rate: 1000 }, { stream: 'upstream' });
    const payload = Buffer.from(Array.from({ length: 20_000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join(''));
    const s = await dial();
    const seen = observe(s);
    s.write(payload);
    await seen.received(payload.length);
    expect(seen.text()).toBe(payload.toString());
    s.destroy();
  });

  it('a reader that stops reading loses nothing through the proxy: every byte arrives, intact, once it reads again', async () => {
    await upstream.close();
    upstream = await upstreamServer((u) => u.pause());
    const p = await newProxy('slow', upstream);
    const s = await dial(portOf(p.listen));
    const sink = await upstream.accepted;
    // Bytes that differ along the stream, so that a read buffer reused too early would show.
    const all = 4 * 1024 * 1024;
    const payload = Buffer.alloc(all);
    for (let i = 0; i < all; i++) payload[i] = 97 + ((i * 7 + (i >> 12)) % 26);
    for (let n = 0; n < all; n += 64 * 1024) s.write(payload.subarray(n, n + 64 * 1024));
    const seen = observe(sink);
    sink.pause(); // observing attached a 'data' listener, which starts it flowing
    sink.resume();
    await seen.received(all);
    expect(seen.text() === payload.toString()).toBe(true);
    s.destroy();
  });

  it('an upstream close reaches the client after the bytes before it', async () => {
    await upstream.close();
    upstream = await upstreamServer((u) => u.end('bye'));
    const p = await newProxy('closer', upstream);
    const seen = observe(await dial(portOf(p.listen)));
    await seen.closed;
    expect(seen.text()).toBe('bye');
  });

  it('a client close reaches the upstream', async () => {
    const s = await dial();
    await echo(s, 'x');
    const closed = once(await upstream.accepted, 'close');
    s.end();
    await closed;
  });
});
