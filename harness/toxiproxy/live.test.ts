// Live chain changes through the API while many connections stream: random
// (seeded) adds, updates and removals of non-dropping toxics on both
// directions must never lose, duplicate or reorder a byte on any connection.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { seededRandom } from './clock.ts';
import { connect, fixture, portOf, raw, sleep, watch, type Fixture } from './testkit.ts';

let f: Fixture;
beforeEach(async () => {
  f = await fixture();
});
afterEach(async () => {
  await f.close();
});

it('keeps every byte of 20 echo streams intact under random live toxic changes', async () => {
  const seed = Number(process.env.PROXY_LIVE_SEED ?? Date.now() % 1_000_000);
  const random = seededRandom(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)]!;
  const p = await f.client.createProxy({ name: 'live', listen: '127.0.0.1:0', upstream: `127.0.0.1:${f.echo.port}` });
  const port = portOf(p.listen);
  const api = (method: string, path: string, body?: object) => raw(f.server.url, method, `/proxies/live${path}`, body);

  const attributes: Record<string, () => object> = {
    latency: () => ({ latency: Math.floor(random() * 20), jitter: Math.floor(random() * 5) }),
    bandwidth: () => ({ rate: 50 + Math.floor(random() * 500) }),
    slicer: () => ({ average_size: 1 + Math.floor(random() * 64), size_variation: Math.floor(random() * 8), delay: Math.floor(random() * 500) }),
    noop: () => ({}),
  };
  // A fixed number of changes, with the streams writing until they are done,
  // so the test means the same on a fast or a loaded machine.
  const CHANGES = 40;
  let changing = true;
  let n = 0;
  const changes = (async () => {
    const names: string[] = [];
    for (let k = 0; k < CHANGES; k++) {
      const roll = random();
      if (roll < 0.45 || names.length === 0) {
        const type = pick(Object.keys(attributes));
        const name = `t${n++}`;
        const r = await api('POST', '/toxics', { name, type, stream: pick(['upstream', 'downstream']), attributes: attributes[type]!() });
        expect(r.status).toBe(200);
        names.push(name);
      } else if (roll < 0.75) {
        const name = names.splice(Math.floor(random() * names.length), 1)[0]!;
        expect((await api('DELETE', `/toxics/${name}`)).status).toBe(204);
      } else {
        const name = pick(names);
        const current = (await api('GET', `/toxics/${name}`)).json() as { type: string };
        expect((await api('PATCH', `/toxics/${name}`, { attributes: attributes[current.type]!() })).status).toBe(200);
      }
      await sleep(random() * 10);
    }
    changing = false;
  })();

  const streams = await Promise.all(
    Array.from({ length: 20 }, async (_, c) => {
      const s = await connect(port);
      const w = watch(s);
      let sent = '';
      for (let i = 0; changing || i < 10; i++) {
        const line = `c${c}m${i}:${'x'.repeat(Math.floor(random() * 200))};`;
        sent += line;
        s.write(line);
        await sleep(random() * 15);
      }
      return { s, w, sent };
    }),
  );
  await changes;
  await raw(f.server.url, 'POST', '/reset');
  for (const { s, w, sent } of streams) {
    await w.waitBytes(sent.length, 10_000).catch((e: Error) => {
      throw new Error(`${e.message} (replay with PROXY_LIVE_SEED=${seed})`);
    });
    expect(w.text(), `replay with PROXY_LIVE_SEED=${seed}`).toBe(sent);
    s.destroy();
  }
  expect(n).toBeGreaterThan(5);
}, 30_000);
