// Each toxic's measured effect on real loopback connections through the
// proxy, driven with toxiproxy-node-client. Timing bounds are generous (CI
// shares two cores); the figures that matter live in `npm run bench`.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ICreateToxicBody, Proxy } from 'toxiproxy-node-client';
import { seededRandom } from './clock.ts';
import { connect, fixture, portOf, roundTrip, sleep, tcpServer, watch, type Fixture } from './testkit.ts';

let f: Fixture;
let proxy: Proxy;
let port: number;
beforeEach(async () => {
  f = await fixture({ random: seededRandom(20261127) });
  proxy = await f.client.createProxy({ name: 'client->n1', listen: '127.0.0.1:0', upstream: `127.0.0.1:${f.echo.port}` });
  port = portOf(proxy.listen);
});
afterEach(async () => {
  await f.close();
});

function toxic(type: string, attributes: object, extra: object = {}) {
  return proxy.addToxic({ type, attributes, ...extra } as ICreateToxicBody<unknown>);
}

describe('toxic effects on live connections', () => {
  it('latency: adds latency ± jitter per direction', async () => {
    const s = await connect(port);
    const base = await roundTrip(s, 'warm');
    await toxic('latency', { latency: 60, jitter: 10 });
    await toxic('latency', { latency: 40 }, { stream: 'upstream' });
    const times: number[] = [];
    for (let i = 0; i < 5; i++) times.push(await roundTrip(s, `m${i}`));
    for (const t of times) {
      expect(t).toBeGreaterThanOrEqual(90 - 1);
      expect(t).toBeLessThan(110 + 400 + base);
    }
    s.destroy();
  });

  it('timeout 0 on both streams holds the connection open and delivers nothing', async () => {
    const s = await connect(port);
    const w = watch(s);
    await toxic('timeout', { timeout: 0 }, { stream: 'upstream' });
    await toxic('timeout', { timeout: 0 }, { stream: 'downstream' });
    s.write('into the void');
    const early = await Promise.race([w.closed.then(() => 'closed'), sleep(300).then(() => 'open')]);
    expect(early).toBe('open');
    expect(w.bytes()).toBe(0);
    // Healing (removing the toxics) closes the connections they held, as Toxiproxy does.
    await (await proxy.getToxic('timeout_upstream')).remove();
    const closed = await Promise.race([w.closed, sleep(3000).then(() => undefined)]);
    expect(closed).toBeDefined();
    expect(w.bytes()).toBe(0);
    // New connections work again once the other one is gone too.
    await (await proxy.getToxic('timeout_downstream')).remove();
    const s2 = await connect(port);
    expect(await roundTrip(s2, 'healed')).toBeLessThan(1000);
    s2.destroy();
  });

  it('timeout N closes the connection after about N ms', async () => {
    await toxic('timeout', { timeout: 150 });
    const t0 = performance.now();
    const s = await connect(port);
    const w = watch(s);
    s.write('x');
    const { at } = await w.closed;
    expect(at - t0).toBeGreaterThanOrEqual(140);
    expect(at - t0).toBeLessThan(2000);
    expect(w.bytes()).toBe(0);
  });

  it('reset_peer: both the client and the upstream get ECONNRESET', async () => {
    const upstreamErrors: string[] = [];
    const server = await tcpServer((sock) => sock.on('error', (e: NodeJS.ErrnoException) => upstreamErrors.push(e.code ?? '')));
    const p = await f.client.createProxy({ name: 'rst', listen: '127.0.0.1:0', upstream: `127.0.0.1:${server.port}` });
    await p.addToxic({ type: 'reset_peer', stream: 'upstream', attributes: { timeout: 50 } } as ICreateToxicBody<unknown>);
    const s = await connect(portOf(p.listen));
    const w = watch(s);
    const t0 = performance.now();
    s.write('hello');
    const { error, at } = await w.closed;
    expect(error).toBe('ECONNRESET');
    expect(at - t0).toBeGreaterThanOrEqual(45);
    await sleep(50);
    expect(upstreamErrors).toEqual(['ECONNRESET']);
    await server.close();
  });

  it('limit_data cuts the stream at exactly N bytes and closes', async () => {
    await toxic('limit_data', { bytes: 1000 });
    const s = await connect(port);
    const w = watch(s);
    s.write(Buffer.alloc(600, 'a'));
    await sleep(20);
    s.write(Buffer.alloc(600, 'b'));
    await w.closed;
    expect(w.bytes()).toBe(1000);
    expect(w.text()).toBe('a'.repeat(600) + 'b'.repeat(400));
  });

  it('bandwidth limits throughput to about rate KB/s', async () => {
    await toxic('bandwidth', { rate: 100 });
    const s = await connect(port);
    const w = watch(s);
    const t0 = performance.now();
    s.write(Buffer.alloc(30_000, 'z'));
    await w.waitBytes(30_000);
    const ms = performance.now() - t0;
    // 30 KB at 100 KB/s is 300 ms.
    expect(ms).toBeGreaterThanOrEqual(250);
    expect(ms).toBeLessThan(2500);
    s.destroy();
  });

  it('slicer delivers the bytes intact in several pieces', async () => {
    await toxic('slicer', { average_size: 100, size_variation: 20, delay: 3000 });
    const s = await connect(port);
    const w = watch(s);
    const payload = Buffer.from(Array.from({ length: 2000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join(''));
    s.write(payload);
    await w.waitBytes(payload.length);
    expect(w.text()).toBe(payload.toString());
    expect(w.reads()).toBeGreaterThan(3);
    s.destroy();
  });

  it('slow_close delays the close the upstream started', async () => {
    const closer = await tcpServer((sock) => sock.end('bye'));
    const p = await f.client.createProxy({ name: 'closer', listen: '127.0.0.1:0', upstream: `127.0.0.1:${closer.port}` });
    await p.addToxic({ type: 'slow_close', attributes: { delay: 300 } } as ICreateToxicBody<unknown>);
    const t0 = performance.now();
    const w = watch(await connect(portOf(p.listen)));
    const { at } = await w.closed;
    expect(w.text()).toBe('bye');
    expect(at - t0).toBeGreaterThanOrEqual(280);
    await closer.close();
  });

  it('toxicity 0 leaves connections untouched', async () => {
    await toxic('latency', { latency: 2000 }, { toxicity: 0 });
    const s = await connect(port);
    expect(await roundTrip(s, 'fast')).toBeLessThan(1000);
    s.destroy();
  });

  it('toxicity 0.5 affects some connections and spares others, rolled per connection', async () => {
    await toxic('latency', { latency: 400 }, { toxicity: 0.5 });
    const rtts = await Promise.all(
      Array.from({ length: 16 }, async () => {
        const s = await connect(port);
        const first = await roundTrip(s, 'a');
        const second = await roundTrip(s, 'b');
        s.destroy();
        return [first, second] as const;
      }),
    );
    const slow = rtts.filter(([a]) => a >= 380);
    const fast = rtts.filter(([a]) => a < 200);
    expect(slow.length + fast.length).toBe(16);
    expect(slow.length).toBeGreaterThan(0);
    expect(fast.length).toBeGreaterThan(0);
    // The roll holds for the connection's life.
    for (const [a, b] of rtts) expect(a >= 380).toBe(b >= 380);
  });

  it('removing a latency toxic delivers the bytes it held, in order', async () => {
    await toxic('latency', { latency: 60_000 }, { stream: 'upstream' });
    const s = await connect(port);
    const w = watch(s);
    s.write('held-1;');
    await sleep(30);
    s.write('held-2;');
    await sleep(30);
    expect(w.bytes()).toBe(0);
    await (await proxy.getToxic('latency_upstream')).remove();
    s.write('after;');
    await w.waitBytes('held-1;held-2;after;'.length);
    expect(w.text()).toBe('held-1;held-2;after;');
    s.destroy();
  });

  it('updating a toxic applies to open connections', async () => {
    const lat = await toxic('latency', { latency: 30_000 });
    const s = await connect(port);
    const w = watch(s);
    s.write('q');
    await sleep(50);
    await lat.update({ attributes: { latency: 10 } } as ICreateToxicBody<unknown>);
    await w.waitBytes(1, 2000);
    s.destroy();
  });
});

describe('enabling and disabling', () => {
  it('disabling refuses new connections and closes open ones; enabling rebinds', async () => {
    const s = await connect(port);
    const w = watch(s);
    await roundTrip(s, 'up');
    await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    await w.closed;
    await expect(connect(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(f.echo.sockets.size).toBe(0);
    await proxy.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
    const s2 = await connect(port);
    expect(await roundTrip(s2, 'again')).toBeLessThan(1000);
    s2.destroy();
  });

  it('closes the client when the upstream is unreachable', async () => {
    const p = await f.client.createProxy({ name: 'dead', listen: '127.0.0.1:0', upstream: '127.0.0.1:1' });
    const w = watch(await connect(portOf(p.listen)));
    await w.closed;
    expect(w.bytes()).toBe(0);
  });

  it('passes an upstream close on to the client', async () => {
    const s = await connect(port);
    const w = watch(s);
    await roundTrip(s, 'x');
    for (const sock of f.echo.sockets) sock.end();
    await w.closed;
  });
});
