// The server under abuse: malformed and huge bodies, garbage HTTP, unknown
// routes, thousands of connections, proxy churn and a crashing toxic. After
// each, it must still answer and hold no socket it should have closed.
import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from './server.ts';
import { INTERRUPTED } from './stub.ts';
import { register } from './toxics/registry.ts';
import { connect, fixture, portOf, raw, roundTrip, sleep, tcpHandles, watch, type Fixture } from './testkit.ts';

let f: Fixture;
let errors: unknown[];
let logs: string[];
beforeEach(async () => {
  errors = [];
  logs = [];
  f = await fixture({ onError: (e) => errors.push(e), log: (line) => logs.push(line) });
});
afterEach(async () => {
  await f.close();
});

const req = (method: string, path: string, body?: string | object) => raw(f.server.url, method, path, body);

async function stillAnswers(): Promise<void> {
  const r = await req('GET', '/version');
  expect(r.status).toBe(200);
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error('condition not reached in time');
    await sleep(10);
  }
}

describe('bad requests', () => {
  it('answers malformed JSON on every route that takes a body with 400', async () => {
    await req('POST', '/proxies', { name: 'p', listen: '127.0.0.1:0', upstream: '127.0.0.1:1' });
    await req('POST', '/proxies/p/toxics', { type: 'noop', name: 't' });
    for (const path of ['/proxies', '/populate', '/proxies/p', '/proxies/p/toxics', '/proxies/p/toxics/t']) {
      for (const body of ['{', '[1,', 'null', '"str"', '\u0000\u0001', '{"name": {"deep": [[[[[]]]]]}, "toxicity": [], "enabled": {}}']) {
        const r = await req('POST', path, body);
        expect(r.status, `${path} ${JSON.stringify(body)}`).toBe(400);
        expect((r.json() as { error: string }).error).toMatch(/^bad request body: |^missing required field/);
      }
    }
    await stillAnswers();
  });

  it('refuses a huge body with 413 without buffering it', async () => {
    const huge = `{"name":"${'x'.repeat(MAX_BODY_BYTES * 3)}"}`;
    const r = await req('POST', '/proxies', huge).catch((e: Error) => e);
    // Either the 413 arrives, or the connection is dropped mid-upload: both are refusals.
    if (!(r instanceof Error)) expect(r.status).toBe(413);
    expect(f.server.proxies.list()).toHaveLength(0);
    await stillAnswers();
  });

  it('survives garbage and truncated HTTP on raw sockets', async () => {
    const port = Number(new URL(f.server.url).port);
    for (const junk of ['GARBAGE\r\n\r\n', 'POST /proxies HTTP/1.1\r\nContent-Length: 100\r\n\r\n{"na', '\x16\x03\x01\x02\x00']) {
      const s = await connect(port);
      const w = watch(s);
      s.write(junk);
      await Promise.race([w.closed, sleep(200)]);
      s.destroy();
    }
    await stillAnswers();
  });

  it('takes a client hanging up mid-body as an operational event, not an internal error', async () => {
    const s = await connect(Number(new URL(f.server.url).port));
    const w = watch(s);
    // Expect: 100-continue makes the server say when it has the headers and is reading the body.
    s.write('POST /proxies HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n');
    await w.waitBytes('HTTP/1.1 100 Continue\r\n\r\n'.length);
    s.write('{"name": "p", "ups');
    s.destroy();
    await until(() => logs.length + errors.length > 0);
    expect(errors).toEqual([]);
    expect(logs).toEqual(['api: POST /proxies: the client closed the connection before sending the whole body']);
    expect(f.server.proxies.list()).toHaveLength(0);
    await stillAnswers();
  });

  it('answers CONNECT as Toxiproxy does: 301 to the authority, 405 for a path of a route', async () => {
    const port = Number(new URL(f.server.url).port);
    const answer = async (request: string) => {
      const s = await connect(port);
      const w = watch(s);
      s.write(request);
      await w.closed;
      return w.text();
    };
    expect(await answer('CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n')).toMatch(
      /^HTTP\/1\.1 301 Moved Permanently\r\n(.*\r\n)*Location: \/\/127\.0\.0\.1:1\/\r\n/,
    );
    expect(await answer('CONNECT /proxies HTTP/1.1\r\nHost: x\r\n\r\n')).toMatch(/^HTTP\/1\.1 405 Method Not Allowed\r\n/);
    expect(await answer('CONNECT /nope HTTP/1.1\r\nHost: x\r\n\r\n')).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/);
    expect(errors).toEqual([]);
    await stillAnswers();
  });

  it('answers undecodable paths with 400', async () => {
    const r = await req('GET', '/proxies/%E0%A4%A');
    expect(r.status).toBe(400);
    await stillAnswers();
  });
});

describe('connections', () => {
  it('opens and closes 2000 connections without leaking a socket', async () => {
    const p = await f.client.createProxy({ name: 'churn', listen: '127.0.0.1:0', upstream: `127.0.0.1:${f.echo.port}` });
    await req('POST', '/proxies/churn/toxics', { type: 'noop', stream: 'upstream' });
    await req('POST', '/proxies/churn/toxics', { type: 'latency', attributes: { latency: 1 } });
    const port = portOf(p.listen);
    await stillAnswers();
    const baseline = tcpHandles();
    const proxy = f.server.proxies.get('churn');
    for (let batch = 0; batch < 8; batch++) {
      await Promise.all(
        Array.from({ length: 250 }, async (_, i) => {
          const s = await connect(port);
          if (i % 3 === 0) {
            s.destroy(); // abrupt, before any data
            return;
          }
          await roundTrip(s, `hello ${i}`);
          if (i % 3 === 1) s.end();
          else s.resetAndDestroy();
          await new Promise((r) => s.once('close', r));
        }),
      );
    }
    await until(() => proxy.connections.size === 0 && proxy.toxics.links.size === 0 && f.echo.sockets.size === 0);
    await until(() => tcpHandles() <= baseline);
    expect(errors).toEqual([]);
    await stillAnswers();
  }, 30_000);

  it('creates and deletes proxies repeatedly without leaking listeners', async () => {
    const baseline = tcpHandles();
    for (let i = 0; i < 100; i++) {
      const p = await f.client.createProxy({ name: `p${i}`, listen: '127.0.0.1:0', upstream: `127.0.0.1:${f.echo.port}` });
      if (i % 10 === 0) (await connect(portOf(p.listen))).destroy();
      await p.remove();
    }
    await until(() => tcpHandles() <= baseline + 2); // + keep-alive sockets of the HTTP client
    expect(f.server.proxies.list()).toHaveLength(0);
  });

  it('reports a crashing toxic, closes only its connection and keeps serving', async () => {
    register({
      type: 'test_crash',
      attributes: {},
      create: () => ({
        async pipe(stub) {
          const c = await stub.read();
          if (c === INTERRUPTED) return;
          throw new Error('toxic bug');
        },
      }),
    });
    const p = await f.client.createProxy({ name: 'c', listen: '127.0.0.1:0', upstream: `127.0.0.1:${f.echo.port}` });
    await req('POST', '/proxies/c/toxics', { type: 'test_crash', stream: 'upstream' });
    const w = watch(await connect(portOf(p.listen)));
    const victim = await connect(portOf(p.listen));
    const vw = watch(victim);
    victim.write('boom');
    await vw.closed;
    expect(errors.map(String)).toEqual(['Error: toxic bug']);
    await req('DELETE', '/proxies/c/toxics/test_crash_upstream');
    await stillAnswers();
    expect(await Promise.race([w.closed.then(() => 'closed'), sleep(50).then(() => 'open')])).toBe('open');
  });
});

describe('shutdown', () => {
  it('close() stops the API and every proxy, leaving no socket', async () => {
    const baseline = tcpHandles();
    const p = await f.client.createProxy({ name: 'p', listen: '127.0.0.1:0', upstream: `127.0.0.1:${f.echo.port}` });
    await req('POST', '/proxies/p/toxics', { type: 'latency', attributes: { latency: 60_000 } });
    const s = await connect(portOf(p.listen));
    const w = watch(s);
    s.write('held');
    await sleep(20);
    await f.server.close();
    await w.closed;
    await expect(connect(portOf(p.listen))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await expect(fetch(`${f.server.url}/version`)).rejects.toThrow();
    await until(() => tcpHandles() <= baseline - 1); // the API listener is gone too
    expect(net.isIP('127.0.0.1')).toBe(4);
  });
});
