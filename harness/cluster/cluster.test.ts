// The cluster's wiring: one proxy per directed link and per client link,
// nodes told the proxy addresses, and an external Toxiproxy (--toxiproxy URL)
// driven the same way as the built-in one and left as it was found.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Toxiproxy } from 'toxiproxy-node-client';
import { describe, expect, it } from 'vitest';
import { askOnce } from '../client/wireConnection.ts';
import { loadSystem } from '../system/definition.ts';
import { startToxiproxyServer } from '../toxiproxy/index.ts';
import { createServer, type Server } from 'node:net';
import type { SystemDefinition } from '../system/definition.ts';
import { ProcessCluster, ClusterStartError } from './cluster.ts';
import { freePort } from './ports.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const example = () => loadSystem(join(root, 'examples', 'kvstore', 'system.json'));

function listenOn0(): Promise<Server> {
  return new Promise((resolve) => {
    const srv = createServer((s) => s.end());
    srv.listen(0, '127.0.0.1', () => resolve(srv));
  });
}

describe('cluster wiring', () => {
  it('puts a proxy on every directed link and every client link, and hands nodes the proxy addresses', async () => {
    const cluster = await ProcessCluster.start(example(), { logDir: mkdtempSync(join(tmpdir(), 'sb-wire-')) });
    try {
      expect(cluster.links.map((l) => l.name).sort()).toEqual(['client->n1', 'client->n2', 'client->n3', 'n1->n2', 'n1->n3', 'n2->n1', 'n3->n1']);
      const n2 = cluster.nodes.get('n2')!;
      const viaProxy = cluster.link('n2', 'n1')!.listen.port;
      expect(n2.argv.join(' ')).toContain(`--peers n1=127.0.0.1:${viaProxy}`);
      expect(n2.argv.join(' ')).toContain(`--listen 127.0.0.1:${n2.listen.port}`);
      expect(n2.argv[0]).toBe(process.execPath); // {node}
      // A write through n2 travels client->n2, then n2->n1.
      const a = cluster.clientAddress('n2');
      expect(await askOnce(a.host, a.port, { type: 'write', key: 'k', value: 1 }, 2000)).toMatchObject({ kind: 'reply', body: { type: 'write_ok' } });
    } finally {
      await cluster.stop();
    }
  });

  it('drives an external Toxiproxy given by URL and removes its proxies afterwards', async () => {
    const server = await startToxiproxyServer({ host: '127.0.0.1', port: 0 });
    try {
      const api = new Toxiproxy(server.url);
      const cluster = await ProcessCluster.start(example(), { toxiproxyUrl: server.url, logDir: mkdtempSync(join(tmpdir(), 'sb-ext-')) });
      expect(Object.keys(await api.getAll()).sort()).toEqual(cluster.links.map((l) => l.name).sort());
      await cluster.cut([['n2', 'n1']], 'drop');
      const toxics = await (await api.get('n2->n1')).getToxic('partition-up');
      expect(toxics.type).toBe('timeout');
      await cluster.healNetwork();
      await cluster.stop();
      expect(await api.getAll()).toEqual({});
    } finally {
      await server.close();
    }
  });

  it('a heal that cannot reach the proxy API fails loudly and keeps the cut listed; a toxic removed behind its back counts as healed', async () => {
    const server = await startToxiproxyServer({ host: '127.0.0.1', port: 0 });
    let cluster: ProcessCluster | undefined;
    try {
      const api = new Toxiproxy(server.url);
      cluster = await ProcessCluster.start(example(), { toxiproxyUrl: server.url, logDir: mkdtempSync(join(tmpdir(), 'sb-heal-')) });
      await cluster.cut([['n2', 'n1']], 'drop');
      // Someone else removed one toxic already: that half is healed, not an error.
      await (await (await api.get('n2->n1')).getToxic('partition-up')).remove();
      await server.close();
      await expect(cluster.healNetwork()).rejects.toThrow(/could not heal the network: remove toxic .* of n[12]->n[12]/);
      expect(cluster.activeNetworkFaults().sort()).toEqual(['n1->n2', 'n2->n1']);
    } finally {
      await cluster?.stop();
      await server.close().catch(() => undefined);
    }
  });

  it('names an unreachable Toxiproxy URL clearly', async () => {
    await expect(ProcessCluster.start(example(), { toxiproxyUrl: 'http://127.0.0.1:1', logDir: mkdtempSync(join(tmpdir(), 'sb-ext-')) })).rejects.toThrow(
      /cannot reach the Toxiproxy API at http:\/\/127\.0\.0\.1:1/,
    );
  });

  it('starts again on fresh ports when a node port is already taken, instead of mistaking the taker for the node', async () => {
    const squatter = await listenOn0();
    const taken = (squatter.address() as { port: number }).port;
    let calls = 0;
    const cluster = await ProcessCluster.start(example(), {
      logDir: mkdtempSync(join(tmpdir(), 'sb-port-')),
      allocatePort: () => (++calls === 1 ? Promise.resolve(taken) : freePort()),
    });
    try {
      expect([...cluster.nodes.values()].map((n) => n.listen.port)).not.toContain(taken);
      expect([...cluster.nodes.values()].every((n) => n.proc.alive())).toBe(true);
      for (const id of cluster.nodeIds()) {
        const a = cluster.clientAddress(id);
        expect(await askOnce(a.host, a.port, { type: 'read', key: 'k' }, 2000)).toMatchObject({ kind: 'reply' });
      }
    } finally {
      await cluster.stop();
      squatter.close();
    }
  });

  it('a killed node whose port was taken meanwhile restarts on a fresh port, behind the same proxies', async () => {
    const cluster = await ProcessCluster.start(example(), { logDir: mkdtempSync(join(tmpdir(), 'sb-restart-')) });
    let squatter: Server | undefined;
    try {
      const n2 = cluster.nodes.get('n2')!;
      const oldPort = n2.listen.port;
      const clientProxy = cluster.clientAddress('n2');
      await cluster.kill('n2');
      squatter = await new Promise<Server>((resolve) => {
        const srv = createServer((s) => s.end());
        srv.listen(oldPort, '127.0.0.1', () => resolve(srv));
      });
      await cluster.restart('n2');
      expect(n2.listen.port).not.toBe(oldPort);
      expect(n2.proc.alive()).toBe(true);
      expect(n2.argv.join(' ')).toContain(`--listen 127.0.0.1:${n2.listen.port}`);
      // Clients still dial the same proxy; n2 still reaches n1 through its own.
      expect(cluster.clientAddress('n2')).toEqual(clientProxy);
      expect(await askOnce(clientProxy.host, clientProxy.port, { type: 'write', key: 'k', value: 7 }, 2000)).toMatchObject({ kind: 'reply', body: { type: 'write_ok' } });
      const viaN1 = cluster.clientAddress('n1');
      expect(await askOnce(viaN1.host, viaN1.port, { type: 'read', key: 'k' }, 2000)).toMatchObject({ kind: 'reply', body: { type: 'read_ok', value: 7 } });
    } finally {
      await cluster.stop();
      squatter?.close();
    }
  });

  it('a node that always dies on EADDRINUSE (it ignores {listen}) is reported with its output after three boots', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-inuse-'));
    const script = 'console.error("Error: listen EADDRINUSE: address already in use 0.0.0.0:8080"); process.exit(1)';
    const def: SystemDefinition = {
      name: 'fixed-port',
      claims: 'linearizable',
      available: [],
      recoveryS: 5,
      nodes: [{ id: 'n1', role: 'server', connectsTo: [], command: ['{node}', '-e', script] }],
      clientNodes: ['n1'],
      file: join(dir, 'system.json'),
      dir,
    };
    const err = await ProcessCluster.start(def, { logDir: dir }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(ClusterStartError);
    expect((err as Error).message).toMatch(/node n1 exited \(code 1\) before accepting connections/);
    expect((err as Error).message).toContain('address already in use 0.0.0.0:8080');
  });

  it('starts again on fresh ports when a node dies on EADDRINUSE', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-inuse-'));
    const marker = join(dir, 'marker');
    const def: SystemDefinition = {
      name: 'listen-once',
      claims: 'linearizable',
      available: [],
      recoveryS: 5,
      nodes: [{ id: 'n1', role: 'server', connectsTo: [], command: ['{node}', join(here, 'testdata', 'listenOnce.js'), '{listen}', marker] }],
      clientNodes: ['n1'],
      file: join(dir, 'system.json'),
      dir,
    };
    const cluster = await ProcessCluster.start(def, { logDir: dir });
    try {
      expect(existsSync(marker)).toBe(true); // the first start really failed
      expect(cluster.nodes.get('n1')!.proc.alive()).toBe(true);
    } finally {
      await cluster.stop();
    }
  });
});
