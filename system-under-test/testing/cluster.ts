// Starts a design from its system.json as real processes on loopback, for
// integration tests. Every process runs in its own process group and is
// registered in one module-wide set, so `stopAll()` (call it from afterAll,
// and it also runs on process exit) kills everything a test file started,
// whether the test passed, failed or timed out. Each A->B link of the
// definition goes through a Forwarder the test can cut.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { dirname, resolve } from 'node:path';
import { Forwarder } from './forwarder.ts';
import { TestClient } from './client.ts';

export interface NodeDefinition {
  role: string;
  connectsTo: string[];
  command: string[];
}

export interface SystemDefinition {
  name: string;
  claims: 'linearizable' | 'not-linearizable';
  nodes: Record<string, NodeDefinition>;
  clientNodes: string[];
  primary?: { static: string } | { ask: string };
  nemeses?: string[];
}

const everyProcess = new Set<ChildProcess>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** Kills every process any cluster in this test process started. Safe to call twice. */
export function killAllNow(): void {
  for (const child of everyProcess) {
    killGroup(child, 'SIGCONT');
    killGroup(child, 'SIGKILL');
  }
}
process.on('exit', killAllNow);
// A signal (Ctrl-C, a runner tearing down a worker) skips 'exit' handlers unless someone listens.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    killAllNow();
    process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
  });
}

// Ports handed out in this process, never handed out again: the kernel may
// give a just-released port to the next listen(0) (a forwarder's, or the next
// node's) before the node it was meant for has bound it.
const handedOut = new Set<number>();

async function freePort(): Promise<number> {
  for (;;) {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((r) => server.close(() => r()));
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

class PortTaken extends Error {}

function answers(port: number): Promise<boolean> {
  return new Promise((r) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => (s.destroy(), r(true)));
    s.on('error', () => r(false));
  });
}

/**
 * Ready = the node said so: the runtime logs `listening on 127.0.0.1:PORT`
 * once its server is bound. Probing the port with a connect would also
 * succeed if another process had taken it, while the node itself dies on
 * EADDRINUSE.
 */
async function waitListening(said: () => boolean, child: ChildProcess, id: string, port: number, timeoutMs: number, logs: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${id} exited (${child.exitCode ?? child.signalCode}) before listening:\n${logs()}`);
    }
    if (said()) return;
    if (Date.now() > deadline) throw new Error(`${id} not listening on ${port} after ${timeoutMs} ms:\n${logs()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface RunningNode {
  id: string;
  port: number;
  child: ChildProcess | null;
  log: string[];
}

export class Cluster {
  readonly nodes = new Map<string, RunningNode>();
  /** Keyed "A->B"; clients of the test are "client->ID". */
  readonly links = new Map<string, Forwarder>();
  private readonly clients: TestClient[] = [];

  private constructor(
    readonly definition: SystemDefinition,
    private readonly folder: string,
  ) {}

  static async start(systemJson: string): Promise<Cluster> {
    const path = resolve(systemJson);
    const definition = JSON.parse(readFileSync(path, 'utf8')) as SystemDefinition;
    const cluster = new Cluster(definition, dirname(path));
    try {
      for (const id of Object.keys(definition.nodes)) {
        cluster.nodes.set(id, { id, port: await freePort(), child: null, log: [] });
      }
      for (const [a, node] of Object.entries(definition.nodes)) {
        for (const b of node.connectsTo) await cluster.addLink(`${a}->${b}`, b);
      }
      for (const id of definition.clientNodes) await cluster.addLink(`client->${id}`, id);
      await Promise.all([...cluster.nodes.keys()].map((id) => cluster.spawnNode(id)));
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  private async addLink(name: string, target: string): Promise<void> {
    const forwarder = new Forwarder(name, this.nodes.get(target)!.port);
    await forwarder.start(await freePort());
    this.links.set(name, forwarder);
  }

  /**
   * Starts `id` and waits until it listens. A port is only reserved until
   * it is handed out: if another process takes it first (the node dies on
   * EADDRINUSE, or someone else answers there), the node moves to a fresh
   * port and the forwarders that lead to it follow, up to three times.
   */
  private async spawnNode(id: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const node = this.nodes.get(id)!;
      try {
        if (await answers(node.port)) throw new PortTaken(`${id}: port ${node.port} is taken by another process`);
        await this.spawnOnce(id);
        return;
      } catch (err) {
        const taken = err instanceof PortTaken || /EADDRINUSE/.test(node.log.slice(-20).join('\n'));
        if (!taken || attempt >= 3) throw err;
        node.port = await freePort();
        for (const [name, forwarder] of this.links) if (name.endsWith(`->${id}`)) forwarder.retarget(node.port);
      }
    }
  }

  private async spawnOnce(id: string): Promise<void> {
    const def = this.definition.nodes[id];
    const node = this.nodes.get(id)!;
    const listen = `127.0.0.1:${node.port}`;
    const peers = def.connectsTo.map((b) => `${b}=127.0.0.1:${this.links.get(`${id}->${b}`)!.port}`).join(',');
    const argv = def.command.map((a) =>
      a.replaceAll('{node}', process.execPath).replaceAll('{id}', id).replaceAll('{listen}', listen).replaceAll('{peers}', peers),
    );
    const child = spawn(argv[0], argv.slice(1), {
      cwd: this.folder,
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, SPLITBRAIN_ID: id, SPLITBRAIN_LISTEN: listen, SPLITBRAIN_PEERS: peers },
    });
    everyProcess.add(child);
    child.on('exit', () => everyProcess.delete(child));
    child.stderr!.setEncoding('utf8');
    const readyLine = `listening on ${listen}`;
    let startOutput = ''; // this incarnation's output until it says it listens
    let listening = false;
    child.stderr!.on('data', (chunk: string) => {
      node.log.push(...chunk.split('\n').filter((l) => l !== ''));
      if (node.log.length > 2000) node.log.splice(0, node.log.length - 2000);
      if (!listening) {
        startOutput += chunk;
        listening = startOutput.includes(readyLine);
      }
    });
    node.child = child;
    await waitListening(() => listening, child, id, node.port, 15_000, () => node.log.join('\n'));
  }

  /** The last log lines of every node, for a failing test's message. */
  logs(lines = 40): string {
    return [...this.nodes.values()].map((n) => `--- ${n.id}\n${n.log.slice(-lines).join('\n')}`).join('\n');
  }

  /** A client connected to `id` through the `client->id` link. */
  async client(id: string): Promise<TestClient> {
    const c = await TestClient.connect(this.links.get(`client->${id}`)!.port);
    this.clients.push(c);
    return c;
  }

  /** A client connected to `id` directly, bypassing links (for asking the view server). */
  async directClient(id: string): Promise<TestClient> {
    const c = await TestClient.connect(this.nodes.get(id)!.port);
    this.clients.push(c);
    return c;
  }

  kill(id: string): void {
    const node = this.nodes.get(id)!;
    if (node.child !== null) killGroup(node.child, 'SIGKILL');
    node.child = null;
  }

  async restart(id: string): Promise<void> {
    this.kill(id);
    await new Promise((r) => setTimeout(r, 50));
    await this.spawnNode(id);
  }

  pause(id: string): void {
    const c = this.nodes.get(id)!.child;
    if (c !== null) killGroup(c, 'SIGSTOP');
  }

  resume(id: string): void {
    const c = this.nodes.get(id)!.child;
    if (c !== null) killGroup(c, 'SIGCONT');
  }

  /** Cuts every link between `a` and `b`, both directions, clients included when named "client". */
  cut(a: string, b: string, mode: 'reset' | 'drop' = 'drop'): void {
    for (const name of [`${a}->${b}`, `${b}->${a}`]) this.links.get(name)?.cut(mode);
  }

  /** Cuts `a` from every other node (not from test clients). */
  isolate(a: string, mode: 'reset' | 'drop' = 'drop'): void {
    for (const b of this.nodes.keys()) if (b !== a) this.cut(a, b, mode);
  }

  heal(): void {
    for (const f of this.links.values()) f.heal();
  }

  async stop(): Promise<void> {
    for (const c of this.clients) c.close();
    const children = [...this.nodes.values()].flatMap((n) => (n.child ? [n.child] : []));
    const exits = children.map(
      (child) => new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r()))),
    );
    for (const child of children) {
      killGroup(child, 'SIGCONT');
      killGroup(child, 'SIGTERM');
    }
    const timer = setTimeout(() => children.forEach((c) => killGroup(c, 'SIGKILL')), 2000);
    await Promise.all(exits);
    clearTimeout(timer);
    for (const n of this.nodes.values()) n.child = null;
    await Promise.all([...this.links.values()].map((f) => f.stop()));
  }
}
