// A relay's link A->X (OutLink) through the three kinds of proxy server it
// may meet: the harness's own, in this process (both legs in memory), the
// same server in a process of its own, and a real Toxiproxy 2.12 (both legs
// over TCP, since neither registers in this process). On each: messages
// arrive, a disabled proxy closes the link and refuses it (messages lost,
// counted), and a re-enabled one carries them again. Every wait is for an
// event or a condition, never a fixed time.
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { Toxiproxy, type Proxy } from 'toxiproxy-node-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../cluster/ports.ts';
import { startToxiproxyServer, spawnToxiproxyServer } from '../toxiproxy/index.ts';
import { MemorySocket, type StreamSocket } from '../toxiproxy/inProcess.ts';
import { REAL_TOXIPROXY, startRealToxiproxy, type ProxyServer } from '../toxiproxy/testkit.ts';
import { frame, readFrames } from './framing.ts';
import { listenOnFreshPort } from './listen.ts';
import { OutLink } from './outLink.ts';

if (REAL_TOXIPROXY === null) console.warn('\n*** OutLink tests against a real Toxiproxy SKIPPED: ../shared/anchors/bin/toxiproxy-server is absent ***\n');

const servers: Array<{ name: string; start: () => Promise<ProxyServer>; legs: 'memory' | 'tcp'; skip: boolean }> = [
  { name: 'in-process server', start: () => startToxiproxyServer({ port: 0 }), legs: 'memory', skip: false },
  { name: 'same server as a process of its own', start: () => spawnToxiproxyServer(), legs: 'tcp', skip: false },
  { name: `real Toxiproxy 2.12${REAL_TOXIPROXY === null ? ' (skipped: ../shared is absent)' : ''}`, start: () => startRealToxiproxy(), legs: 'tcp', skip: REAL_TOXIPROXY === null },
];

describe.each(servers)('OutLink through the $name', ({ start, legs, skip }) => {
  let server: ProxyServer;
  let inbox: Server;
  let proxy: Proxy;
  let link: OutLink;
  const lines: string[] = [];
  const kinds: string[] = [];
  const open = new Set<StreamSocket>();

  beforeEach(async () => {
    if (skip) return;
    lines.length = 0;
    kinds.length = 0;
    server = await start();
    // An inbox as the network makes them: a listener of this process, registered for in-process dials.
    const onConnection = (s: StreamSocket) => {
      kinds.push(s instanceof MemorySocket ? 'memory' : 'tcp');
      open.add(s);
      s.once('close', () => open.delete(s));
      s.on('error', () => undefined);
      readFrames(s, (line) => lines.push(line), () => lines.push('(damaged)'));
    };
    inbox = createServer(onConnection);
    const at = await listenOnFreshPort(inbox, () => freePort(), onConnection);
    proxy = await new Toxiproxy(server.url).createProxy({ name: 'n1->n2', listen: '127.0.0.1:0', upstream: `${at.host}:${at.port}` });
    const listen = proxy.listen.split(':');
    link = new OutLink({ host: listen[0]!, port: Number(listen[1]) }, () => undefined, () => undefined);
  });
  afterEach(async () => {
    if (skip) return;
    link.close();
    for (const s of open) s.destroy();
    await new Promise<void>((r) => inbox.close(() => r()));
    await server.close();
  });

  it.skipIf(skip)(`carries messages, both legs over ${legs}`, async () => {
    link.send(frame('{"n":1}'));
    link.send(frame('{"n":2}'));
    await expect.poll(() => lines, { timeout: 10_000 }).toEqual(['{"n":1}', '{"n":2}']);
    expect(kinds).toEqual([legs]);
  });

  it.skipIf(skip)('a disabled proxy cuts the link and refuses it (the messages are lost and counted); enabled, it carries them again', async () => {
    link.send(frame('before'));
    await expect.poll(() => lines, { timeout: 10_000 }).toEqual(['before']);
    const [connection] = open;
    const closed = once(connection!, 'close');
    await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    await closed;
    // A send may still meet the connection the proxy is closing; the next ones are refused.
    await expect.poll(() => (link.send(frame('lost')), link.lost), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(lines).toEqual(['before']);
    await proxy.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
    await expect.poll(() => (link.send(frame('after')), lines.includes('after')), { timeout: 10_000 }).toBe(true);
    expect(kinds).toEqual([legs, legs]);
  });
});
