// Every endpoint and every error of the HTTP API, through toxiproxy-node-client
// (what the harness uses) and through raw HTTP (what scripts written for
// Toxiproxy 2.12 send).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ToxiproxyError, type ICreateToxicBody } from 'toxiproxy-node-client';
import { connect, fixture, portOf, raw, roundTrip, type Fixture } from './testkit.ts';

let f: Fixture;
let upstream: string;
beforeEach(async () => {
  f = await fixture();
  upstream = `127.0.0.1:${f.echo.port}`;
});
afterEach(async () => {
  await f.close();
});

const req = (method: string, path: string, body?: string | object, headers?: Record<string, string>) =>
  raw(f.server.url, method, path, body, headers);

function toxicBody<T>(b: Partial<ICreateToxicBody<T>>): ICreateToxicBody<T> {
  return b as ICreateToxicBody<T>;
}

describe('version and guards', () => {
  it('GET /version answers JSON with the Toxiproxy version', async () => {
    const r = await req('GET', '/version');
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({ version: '2.12.0' });
    expect(JSON.parse(await f.client.getVersion())).toEqual({ version: '2.12.0' });
  });

  it('refuses browsers (User-Agent Mozilla/...) with 403', async () => {
    const r = await req('GET', '/proxies', undefined, { 'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64)' });
    expect(r.status).toBe(403);
    expect(r.text).toBe('User agent not allowed\n');
    expect(f.server.proxies.list()).toHaveLength(0);
  });

  it('answers unknown routes 404, a known path with a wrong method 405, /metrics 404', async () => {
    expect((await req('GET', '/nope')).status).toBe(404);
    expect((await req('GET', '/proxies/a/b/c/d')).status).toBe(404);
    expect((await req('GET', '/metrics')).status).toBe(404);
    expect((await req('PUT', '/proxies')).status).toBe(405);
    expect((await req('GET', '/reset')).status).toBe(405);
  });

  it('binds the API to 127.0.0.1 by default', () => {
    expect(f.server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});

describe('proxies', () => {
  it('creates with 201, resolving listen port 0 and defaulting enabled to true', async () => {
    const r = await req('POST', '/proxies', { name: 'a->b', listen: '127.0.0.1:0', upstream });
    expect(r.status).toBe(201);
    const body = r.json() as { listen: string };
    expect(body).toEqual({ name: 'a->b', listen: expect.stringMatching(/^127\.0\.0\.1:\d+$/), upstream, enabled: true, toxics: [] });
    expect(portOf(body.listen)).toBeGreaterThan(0);
    const s = await connect(portOf(body.listen));
    expect(await roundTrip(s, 'ping')).toBeGreaterThan(0);
    s.destroy();
  });

  it('creates through the client, localhost meaning 127.0.0.1', async () => {
    const p = await f.client.createProxy({ name: 'c1', listen: 'localhost:0', upstream });
    expect(p.listen).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(p.enabled).toBe(true);
  });

  it('creates a disabled proxy without listening', async () => {
    const r = await req('POST', '/proxies', { name: 'off', listen: '127.0.0.1:0', upstream, enabled: false });
    expect(r.status).toBe(201);
    expect(r.json()).toMatchObject({ enabled: false, listen: '127.0.0.1:0' });
  });

  it('reports missing fields, duplicates, bad bodies and wrong types', async () => {
    expect((await req('POST', '/proxies', { upstream })).json()).toEqual({ error: 'missing required field: name', status: 400 });
    expect((await req('POST', '/proxies', { name: 'x' })).json()).toEqual({ error: 'missing required field: upstream', status: 400 });
    await req('POST', '/proxies', { name: 'x', listen: '127.0.0.1:0', upstream });
    const dup = await req('POST', '/proxies', { name: 'x', listen: '127.0.0.1:0', upstream });
    expect(dup.status).toBe(409);
    expect(dup.json()).toEqual({ error: 'proxy already exists', status: 409 });
    const bad = await req('POST', '/proxies', '{"name": ');
    expect(bad.status).toBe(400);
    expect((bad.json() as { error: string }).error).toMatch(/^bad request body: /);
    const empty = await req('POST', '/proxies', '');
    expect(empty.json()).toEqual({ error: 'bad request body: EOF', status: 400 });
    const typed = await req('POST', '/proxies', { name: 5, upstream });
    expect(typed.status).toBe(400);
    expect((typed.json() as { error: string }).error).toBe(
      'bad request body: json: cannot unmarshal number into Go struct field Proxy.name of type string',
    );
    await expect(f.client.createProxy({ name: 'x', listen: '127.0.0.1:0', upstream })).rejects.toThrow(ToxiproxyError);
  });

  it('answers 500 with the bind error when the listen address is taken', async () => {
    const a = await f.client.createProxy({ name: 'a', listen: '127.0.0.1:0', upstream });
    const r = await req('POST', '/proxies', { name: 'b', listen: a.listen, upstream });
    expect(r.status).toBe(500);
    expect(r.json()).toEqual({ error: `listen tcp ${a.listen}: bind: address already in use`, status: 500 });
    expect((await req('GET', '/proxies/b')).status).toBe(404);
  });

  it('lists proxies keyed by name, with their toxics', async () => {
    const p = await f.client.createProxy({ name: 'one', listen: '127.0.0.1:0', upstream });
    await p.addToxic(toxicBody({ type: 'latency', attributes: { latency: 5, jitter: 0 } }));
    await f.client.createProxy({ name: 'two', listen: '127.0.0.1:0', upstream });
    await f.client.createProxy({ name: 'a-first', listen: '127.0.0.1:0', upstream });
    const r = await req('GET', '/proxies');
    const body = r.json() as Record<string, { toxics: unknown[] }>;
    expect(Object.keys(body)).toEqual(['a-first', 'one', 'two']); // sorted, as Go marshals maps
    expect(body.one!.toxics).toHaveLength(1);
    const all = await f.client.getAll();
    expect(Object.keys(all)).toEqual(['a-first', 'one', 'two']);
    expect(all.one!.listen).toBe(p.listen);
  });

  it('shows one proxy, or 404', async () => {
    const p = await f.client.createProxy({ name: 'a->b', listen: '127.0.0.1:0', upstream });
    expect((await f.client.get('a->b')).toJson()).toEqual(p.toJson());
    expect((await req('GET', `/proxies/${encodeURIComponent('a->b')}`)).status).toBe(200);
    const missing = await req('GET', '/proxies/nope');
    expect(missing.status).toBe(404);
    expect(missing.json()).toEqual({ error: 'proxy not found', status: 404 });
    expect(missing.text.endsWith('\n')).toBe(true);
  });

  it('addresses any proxy or toxic name, "/" included, by its percent-encoded path segment', async () => {
    // Toxiproxy 2.12 creates "a/b" too, but then answers 404 to /proxies/a%2Fb.
    expect((await req('POST', '/proxies', { name: 'a/b', listen: '127.0.0.1:0', upstream })).status).toBe(201);
    const path = `/proxies/${encodeURIComponent('a/b')}`;
    expect((await req('GET', path)).json()).toMatchObject({ name: 'a/b', upstream });
    expect((await req('POST', `${path}/toxics`, { type: 'noop', name: 't/1?#%' })).status).toBe(200);
    const toxic = `${path}/toxics/${encodeURIComponent('t/1?#%')}`;
    expect((await req('GET', toxic)).json()).toMatchObject({ name: 't/1?#%', type: 'noop' });
    expect((await req('PATCH', toxic, { toxicity: 0.5 })).json()).toMatchObject({ toxicity: 0.5 });
    expect((await req('DELETE', toxic)).status).toBe(204);
    expect((await req('PATCH', path, { enabled: false })).json()).toMatchObject({ enabled: false });
    // Unencoded, the slash separates segments: no route has that shape.
    expect((await req('GET', '/proxies/a/b')).status).toBe(404);
    expect((await req('DELETE', path)).status).toBe(204);
    expect(await f.client.getAll()).toEqual({});
  });

  it('updates partially with POST and PATCH; disabling refuses and enabling rebinds the same port', async () => {
    const p = await f.client.createProxy({ name: 'p', listen: '127.0.0.1:0', upstream });
    const port = portOf(p.listen);
    const off = await req('PATCH', '/proxies/p', { enabled: false });
    expect(off.status).toBe(200);
    expect(off.json()).toEqual({ name: 'p', listen: p.listen, upstream, enabled: false, toxics: [] });
    await expect(connect(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    const on = await p.update({ enabled: true, listen: p.listen, upstream });
    expect(on.enabled).toBe(true);
    expect(on.listen).toBe(p.listen);
    (await connect(port)).destroy();
    // POST also updates; missing fields keep their values.
    const again = await req('POST', '/proxies/p', {});
    expect(again.json()).toMatchObject({ listen: p.listen, upstream, enabled: true });
    expect((await req('PATCH', '/proxies/nope', { enabled: false })).status).toBe(404);
    expect((await req('PATCH', '/proxies/p', { enabled: 'no' })).status).toBe(400);
  });

  it('restarts on a new upstream or listen address', async () => {
    const p = await f.client.createProxy({ name: 'p', listen: '127.0.0.1:0', upstream: '127.0.0.1:1' });
    const s = await connect(portOf(p.listen));
    await new Promise((r) => s.once('close', r)); // upstream refused: client closed
    const moved = (await req('PATCH', '/proxies/p', { upstream, listen: '127.0.0.1:0' })).json() as { listen: string };
    expect(moved.listen).not.toBe(p.listen);
    const s2 = await connect(portOf(moved.listen));
    expect(await roundTrip(s2, 'hi')).toBeGreaterThan(0);
    s2.destroy();
  });

  it('deletes with 204, then 404', async () => {
    const p = await f.client.createProxy({ name: 'p', listen: '127.0.0.1:0', upstream });
    const r = await req('DELETE', '/proxies/p');
    expect(r.status).toBe(204);
    expect(r.text).toBe('');
    await expect(connect(portOf(p.listen))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect((await req('DELETE', '/proxies/p')).json()).toEqual({ error: 'proxy not found', status: 404 });
    const q = await f.client.createProxy({ name: 'q', listen: '127.0.0.1:0', upstream });
    await q.remove();
    expect(await f.client.getAll()).toEqual({});
  });
});

describe('populate', () => {
  it('creates proxies with 201 and keeps an unchanged one with its toxics', async () => {
    const r = await req('POST', '/populate', [
      { name: 'a', listen: '127.0.0.1:0', upstream },
      { name: 'b', listen: '127.0.0.1:0', upstream, enabled: false },
    ]);
    expect(r.status).toBe(201);
    const body = r.json() as { proxies: { name: string; listen: string; enabled: boolean }[] };
    expect(body.proxies.map((p) => [p.name, p.enabled])).toEqual([
      ['a', true],
      ['b', false],
    ]);
    const a = body.proxies[0]!;
    await req('POST', '/proxies/a/toxics', { type: 'latency', attributes: { latency: 1 } });
    const again = await f.client.populate([
      { name: 'a', listen: a.listen, upstream },
      { name: 'c', listen: '127.0.0.1:0', upstream },
    ]);
    expect(Object.keys(again).sort()).toEqual(['a', 'c']);
    expect(again.a!.listen).toBe(a.listen);
    expect((await req('GET', '/proxies/a/toxics')).json()).toHaveLength(1);
    // A different upstream replaces the proxy (and drops its toxics).
    const replaced = await req('POST', '/populate', [{ name: 'a', listen: a.listen, upstream: '127.0.0.1:1' }]);
    expect(replaced.status).toBe(201);
    expect((await req('GET', '/proxies/a')).json()).toMatchObject({ upstream: '127.0.0.1:1', toxics: [] });
  });

  it('validates every entry before changing anything; errors carry proxies', async () => {
    const r = await req('POST', '/populate', [
      { name: 'good', listen: '127.0.0.1:0', upstream },
      { name: 'bad', listen: '127.0.0.1:0' },
    ]);
    expect(r.status).toBe(400);
    expect(r.json()).toEqual({ error: 'missing required field: upstream at proxy 2', status: 400, proxies: null });
    expect(await f.client.getAll()).toEqual({});
    const noName = await req('POST', '/populate', [{ upstream }]);
    expect(noName.json()).toMatchObject({ error: 'missing required field: name at proxy 1', status: 400 });
    const notArray = await req('POST', '/populate', { name: 'x' });
    expect(notArray.status).toBe(400);
    expect(notArray.json()).toMatchObject({ error: expect.stringMatching(/^bad request body: /), proxies: null });
  });
});

describe('toxics', () => {
  it('creates with 200 and Toxiproxy defaults: downstream, toxicity 1, name <type>_<stream>', async () => {
    await f.client.createProxy({ name: 'p', listen: '127.0.0.1:0', upstream });
    const r = await req('POST', '/proxies/p/toxics', { type: 'latency', attributes: { latency: 10 } });
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({
      name: 'latency_downstream',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 10, jitter: 0 },
    });
  });

  it('creates through the client, matching stream case-insensitively and dropping unknown attributes', async () => {
    const p = await f.client.createProxy({ name: 'p', listen: '127.0.0.1:0', upstream });
    const t = await p.addToxic(
      toxicBody({ type: 'timeout', stream: 'UpStream' as 'upstream', toxicity: 0.5, attributes: { timeout: 3, bogus: 1 } as never }),
    );
    expect(t.toJson()).toEqual({ name: 'timeout_UpStream', type: 'timeout', stream: 'UpStream', toxicity: 0.5, attributes: { timeout: 3 } });
    expect((await p.getToxic('timeout_UpStream')).attributes).toEqual({ timeout: 3 });
    const chain = f.server.proxies.get('p').toxics.chain;
    expect(chain.upstream).toHaveLength(1);
  });

  it('reports every toxic error with its status', async () => {
    await f.client.createProxy({ name: 'p', listen: '127.0.0.1:0', upstream });
    const post = (body: object | string) => req('POST', '/proxies/p/toxics', body);
    expect((await post({ type: 'nope' })).json()).toEqual({ error: 'invalid toxic type', status: 400 });
    expect((await post({})).json()).toEqual({ error: 'invalid toxic type', status: 400 });
    expect((await post({ type: 'latency', stream: 'sideways' })).json()).toEqual({
      error: 'stream was invalid, can be either upstream or downstream',
      status: 400,
    });
    await post({ type: 'latency' });
    expect((await post({ type: 'latency' })).json()).toEqual({ error: 'toxic already exists', status: 409 });
    expect((await post({ type: 'latency', name: 'l2', attributes: { latency: 'slow' } })).json()).toEqual({
      error: 'bad request body: json: cannot unmarshal string into Go struct field .attributes.latency of type int64',
      status: 400,
    });
    expect((await post({ type: 'latency', name: 'l3', attributes: { latency: 1.5 } })).status).toBe(400);
    expect((await post({ type: 'latency', name: 'l4', toxicity: 'all' })).status).toBe(400);
    expect(((await post('{')).json() as { error: string }).error).toMatch(/^bad request body: /);
    expect((await req('POST', '/proxies/nope/toxics', { type: 'latency' })).json()).toEqual({ error: 'proxy not found', status: 404 });
    expect((await req('GET', '/proxies/nope/toxics')).status).toBe(404);
  });

  it('lists, shows, updates (attributes merged, toxicity) and deletes', async () => {
    const p = await f.client.createProxy({ name: 'p', listen: '127.0.0.1:0', upstream });
    await req('POST', '/proxies/p/toxics', { type: 'latency', name: 'lat', stream: 'upstream', attributes: { latency: 10, jitter: 2 } });
    await req('POST', '/proxies/p/toxics', { type: 'bandwidth', attributes: { rate: 100 } });
    const list = (await req('GET', '/proxies/p/toxics')).json() as { name: string }[];
    expect(list.map((t) => t.name)).toEqual(['lat', 'bandwidth_downstream']);
    expect((await req('GET', '/proxies/p/toxics/lat')).json()).toMatchObject({ name: 'lat', stream: 'upstream' });

    const upd = await req('PATCH', '/proxies/p/toxics/lat', {
      attributes: { latency: 50 },
      toxicity: 0.25,
      type: 'timeout',
      stream: 'downstream',
      name: 'renamed',
    });
    expect(upd.status).toBe(200);
    expect(upd.json()).toEqual({ name: 'lat', type: 'latency', stream: 'upstream', toxicity: 0.25, attributes: { latency: 50, jitter: 2 } });
    const viaClient = await (await p.getToxic('lat')).update(toxicBody({ attributes: { jitter: 0 } as never }));
    expect(viaClient.toJson()).toMatchObject({ toxicity: 0.25, attributes: { latency: 50, jitter: 0 } });
    expect((await req('POST', '/proxies/p/toxics/lat', { attributes: { latency: [] } })).status).toBe(400);
    expect((await req('PATCH', '/proxies/p/toxics/nope', {})).json()).toEqual({ error: 'toxic not found', status: 404 });
    expect((await req('GET', '/proxies/p/toxics/nope')).json()).toEqual({ error: 'toxic not found', status: 404 });

    const del = await req('DELETE', '/proxies/p/toxics/lat');
    expect(del.status).toBe(204);
    expect((await req('DELETE', '/proxies/p/toxics/lat')).json()).toEqual({ error: 'toxic not found', status: 404 });
    await (await p.getToxic('bandwidth_downstream')).remove();
    expect((await req('GET', '/proxies/p/toxics')).json()).toEqual([]);
  });

  it('knows every toxic type of the issue, with their attributes', async () => {
    await f.client.createProxy({ name: 'p', listen: '127.0.0.1:0', upstream });
    const expected: Record<string, Record<string, number>> = {
      latency: { latency: 0, jitter: 0 },
      bandwidth: { rate: 0 },
      slow_close: { delay: 0 },
      timeout: { timeout: 0 },
      reset_peer: { timeout: 0 },
      slicer: { average_size: 0, size_variation: 0, delay: 0 },
      limit_data: { bytes: 0 },
      noop: {},
    };
    for (const [type, attributes] of Object.entries(expected)) {
      const r = await req('POST', '/proxies/p/toxics', { type, stream: 'upstream' });
      expect(r.status).toBe(200);
      expect(r.json()).toMatchObject({ name: `${type}_upstream`, attributes });
    }
  });
});

describe('reset', () => {
  it('enables every proxy and removes every toxic (204)', async () => {
    const a = await f.client.createProxy({ name: 'a', listen: '127.0.0.1:0', upstream });
    await f.client.createProxy({ name: 'b', listen: '127.0.0.1:0', upstream });
    await req('POST', '/proxies/a/toxics', { type: 'latency', attributes: { latency: 1000 } });
    await req('POST', '/proxies/b/toxics', { type: 'timeout', stream: 'upstream' });
    await req('PATCH', '/proxies/a', { enabled: false });
    const r = await req('POST', '/reset');
    expect(r.status).toBe(204);
    const all = (await req('GET', '/proxies')).json() as Record<string, { enabled: boolean; toxics: unknown[] }>;
    expect(Object.values(all).map((p) => [p.enabled, p.toxics.length])).toEqual([
      [true, 0],
      [true, 0],
    ]);
    const s = await connect(portOf(a.listen));
    expect(await roundTrip(s, 'back')).toBeLessThan(500);
    s.destroy();
    await f.client.reset();
  });
});
