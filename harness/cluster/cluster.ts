// The process engine: a running system as owned processes, a fault proxy on
// every directed link A->B (and on every client->node link), or, for systems
// on the kernel network backend, a network namespace per node with partitions
// as packet rules (kernelNetwork.ts); and the operations nemeses need (cut
// links, add latency, kill, restart, pause, ask who is primary), behind the
// engine-neutral Cluster interface. Clients speak through the system's client
// driver (harness/client/driver.ts; the wire protocol by default). Everything
// it starts is stopped by `stop()`, and by the process owner's exit and
// signal hooks if `stop()` is never reached.
import { mkdirSync, readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import type { Proxy as ToxiProxy } from 'toxiproxy-node-client';
import { loadDriver, openDriverConnection, type ClientDriver, type DriverTarget } from '../client/driver.ts';
import { wireDriver } from '../client/wireClient.ts';
import { askOnce, type Outcome } from '../client/wireConnection.ts';
import type { Clock, Cluster, ClientConnection, NodeLink, PartitionMode } from '../engine/cluster.ts';
import { abortableSleep, wallClock } from '../engine/wallClock.ts';
import { MaelstromNetwork, type MaelstromStats } from '../maelstrom/network.ts';
import type { SystemDefinition } from '../system/definition.ts';
import { fillPlaceholders, type PlaceholderValues } from '../system/placeholders.ts';
import { registerKey } from '../workloads/register.ts';
import { seededRandom } from '../toxiproxy/index.ts';
import { openFaultProxy, type FaultProxy } from './faultProxy.ts';
import { KernelNetwork } from './kernelNetwork.ts';
import { freePort } from './ports.ts';
import { ProcessOwner, type OwnedProcess } from './processes.ts';

export type { PartitionMode } from '../engine/cluster.ts';

export interface Address {
  host: string;
  port: number;
}

export interface ClusterNode {
  id: string;
  role: string;
  /** Where the node listens: 127.0.0.1 (proxy backend) or its own address (kernel backend), and its main port. */
  listen: Address;
  /** Its named ports ({port:NAME}), on the same host. */
  ports: Record<string, number>;
  /** Filled-in argv, as started. */
  argv: string[];
  proc: OwnedProcess;
}

export interface Link extends NodeLink {
  /** Proxy name, `A->B` or `client->B`. */
  name: string;
  listen: Address;
  proxy: ToxiProxy;
}

export interface ClusterOptions {
  /** Use this Toxiproxy API instead of starting the built-in server. */
  toxiproxyUrl?: string;
  /** Node logs go here as <id>.log. */
  logDir: string;
  /** Each node's {dir} is <dataDir>/<id>, created empty and kept across restarts (default: <logDir>/../data). */
  dataDir?: string;
  /** The run's clock (default: a fresh wall clock). */
  clock?: Clock;
  readyTimeoutMs?: number;
  /** Where listen ports come from (tests inject conflicts); default: a fresh, never reused loopback port. */
  allocatePort?: () => Promise<number>;
  /** Seeds what the engine itself draws at random (the Maelstrom services' choices); default 1. */
  seed?: number;
}

export class ClusterStartError extends Error {}

/**
 * A node's port was taken by someone else between allocation and bind. Not
 * the system's fault: the whole boot is retried on fresh ports.
 */
class PortConflict extends ClusterStartError {
  constructor(
    message: string,
    /** One line for the retry notice. */
    readonly short: string,
  ) {
    super(message);
  }
}

/** Boots tried before a port conflict is reported to the user. */
const BOOT_ATTEMPTS = 3;

const HOST = '127.0.0.1';

/** A heal that could not be completed after retries: the network is still (partly) cut. */
export class HealError extends Error {}

/** What the harness says when asked for latency on a system without proxies. */
export const LATENCY_NEEDS_PROXIES = 'latency needs the fault proxy: on the kernel network backend (packet rules, no tc netem) links can be cut but not delayed';

/** Attempts per toxic removal or proxy re-enable before a heal is declared failed. */
const HEAL_ATTEMPTS = 4;

export class ProcessCluster implements Cluster {
  readonly engine = 'processes' as const;
  readonly clock: Clock;
  readonly nodes = new Map<string, ClusterNode>();
  readonly links: Link[] = [];
  /** Toxic names we added, per proxy, so heal removes exactly those. */
  private readonly toxics = new Map<string, Set<string>>();
  private readonly disabled = new Set<string>();
  private stopped = false;
  /** The relays, inboxes and services of a `"protocol": "maelstrom"` system; null for TCP nodes. */
  private maelstrom: MaelstromNetwork | null = null;
  /** The namespaces and packet rules of a `"network": "kernel"` system; null behind proxies. */
  private kernel: KernelNetwork | null = null;
  /** Kernel backend: the loopback addresses (relays) through which the harness reaches each node's ports. */
  private readonly exposed = new Map<string, { main: Address; ports: Record<string, number> }>();

  private constructor(
    readonly def: SystemDefinition,
    readonly owner: ProcessOwner,
    readonly faultProxy: FaultProxy,
    private readonly opts: ClusterOptions,
    private readonly driver: ClientDriver,
  ) {
    this.clock = opts.clock ?? wallClock();
  }

  static async start(def: SystemDefinition, opts: ClusterOptions): Promise<ProcessCluster> {
    mkdirSync(opts.logDir, { recursive: true });
    const driver = def.client ? await loadDriver(def.client.module).catch((err: Error) => Promise.reject(new ClusterStartError(`${def.file}: "client": ${err.message}`))) : undefined;
    for (let attempt = 1; ; attempt++) {
      const faultProxy = await openFaultProxy(opts.toxiproxyUrl);
      let cluster: ProcessCluster | undefined;
      // Each Maelstrom connection is a client of its own (c1, c2, ...), as in Maelstrom.
      const maelstromEnvelope = (node: string) => ({ src: cluster!.maelstrom!.clientId(), dest: node });
      cluster = new ProcessCluster(def, new ProcessOwner(), faultProxy, opts, driver ?? wireDriver(def.protocol === 'maelstrom' ? maelstromEnvelope : undefined));
      try {
        await cluster.boot();
        return cluster;
      } catch (err) {
        await cluster.stop();
        if (!(err instanceof PortConflict) || attempt >= BOOT_ATTEMPTS) throw err;
        process.stderr.write(`splitbrain: ${err.short}; starting again on fresh ports\n`);
      }
    }
  }

  // Every listen port, the nodes' and the proxies', comes from one allocator
  // that never hands a port out twice: a proxy listening on port 0 could be
  // given a node's port after the allocator released it and before the node
  // bound it (measured: 9 clusters in 3,000), and the node would then die
  // while its "readiness" was the proxy answering.
  private async boot(): Promise<void> {
    if (this.def.protocol === 'maelstrom') {
      this.maelstrom = await MaelstromNetwork.open({
        nodeIds: this.def.nodes.map((n) => n.id),
        random: seededRandom(this.opts.seed ?? 1),
        allocatePort: () => this.allocatePort(),
      });
    }
    const maelstrom = this.maelstrom;
    const kernel =
      this.def.network === 'kernel'
        ? await KernelNetwork.open({ owner: this.owner, nodeIds: this.def.nodes.map((n) => n.id), logDir: this.opts.logDir }).catch((err: Error) => {
            // A machine that cannot make the namespaces is a run that cannot start, said in one line, as for any other start failure.
            throw new ClusterStartError(`${this.def.file}: "network": "kernel": ${err.message}`);
          })
        : null;
    this.kernel = kernel;
    const listen = new Map<string, Address>();
    const ports = new Map<string, Record<string, number>>();
    // On the kernel backend every node is a host of its own, so all can use the same port numbers, as Jepsen's nodes do.
    const shared = kernel ? { main: await this.allocatePort(), named: new Map<string, number>() } : null;
    for (const n of this.def.nodes) {
      for (const name of n.ports ?? []) if (shared && !shared.named.has(name)) shared.named.set(name, await this.allocatePort());
    }
    for (const n of this.def.nodes) {
      // A Maelstrom node listens nowhere: the harness receives for it, at its inbox.
      listen.set(n.id, maelstrom ? maelstrom.peerInbox(n.id) : kernel ? { host: kernel.hostOf(n.id), port: shared!.main } : { host: HOST, port: await this.allocatePort() });
      const named: Record<string, number> = {};
      for (const name of n.ports ?? []) named[name] = shared ? shared.named.get(name)! : await this.allocatePort();
      ports.set(n.id, named);
    }
    const upstreamOf = (from: string, to: string): Address =>
      maelstrom === null ? listen.get(to)! : from === 'client' ? maelstrom.clientInbox(to) : (listen.get(to) ?? maelstrom.serviceAddress(to));
    const toxi = this.faultProxy.client;
    const makeLink = async (from: string, to: string): Promise<Link> => {
      const name = `${from}->${to}`;
      const upstream = upstreamOf(from, to);
      if (!this.faultProxy.owned) {
        // A shared real Toxiproxy may hold a proxy of that name from an earlier run.
        await toxi.get(name).then((p) => p.remove(), () => undefined);
      }
      const port = await this.allocatePort();
      const proxy = await toxi.createProxy({ name, listen: `${HOST}:${port}`, upstream: `${upstream.host}:${upstream.port}` }).catch(async (err: unknown) => {
        // The proxy API only says "500"; a port taken since it was allocated (another program's
        // listener, or any connection's ephemeral port) is not the system's fault: boot again.
        if (await portTaken(port)) throw new PortConflict(`port ${port} of proxy ${name} was taken by another process`, `port ${port} of proxy ${name} was taken`);
        throw err;
      });
      return { name, from, to, listen: parseAddress(proxy.listen), proxy };
    };
    // The kernel backend has no proxies: rules cut node links, and clients come in through the run's relay.
    const pairs: Array<[string, string]> = kernel
      ? []
      : [
          ...this.def.nodes.flatMap((n) => n.connectsTo.map((to): [string, string] => [n.id, to])),
          // Every node reaches every service through a proxy of its own, so faults on links act on service traffic too.
          ...this.def.nodes.flatMap((n) => (maelstrom?.serviceNames() ?? []).map((service): [string, string] => [n.id, service])),
          ...this.def.clientNodes.map((to): [string, string] => ['client', to]),
        ];
    // One API round trip per proxy; made together, a cluster of 21 links starts in the time of a few.
    // Those made are kept even if one fails, so stop() removes them from a shared Toxiproxy.
    const made = await Promise.allSettled(pairs.map(([from, to]) => makeLink(from, to)));
    for (const m of made) if (m.status === 'fulfilled') this.links.push(m.value);
    const failed = made.find((m) => m.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    maelstrom?.useLinks((from, to) => this.link(from, to)?.listen);
    if (maelstrom === null && kernel === null) {
      for (const [id, address] of listen) {
        for (const port of [address.port, ...Object.values(ports.get(id)!)]) await assertPortFree(id, { host: address.host, port }, 'was taken by another process');
      }
    }
    for (const n of this.def.nodes) {
      this.nodes.set(n.id, { id: n.id, role: n.role, listen: listen.get(n.id)!, ports: ports.get(n.id)!, argv: [], proc: undefined as unknown as OwnedProcess });
    }
    // Every node, not only client nodes: the harness's own questions (readiness, who is primary) come in this way too.
    if (kernel) for (const n of this.def.nodes) this.exposed.set(n.id, await this.exposeNode(n.id));
    for (const node of this.nodes.values()) node.argv = this.fillArgv(node.id, this.def.nodes.find((n) => n.id === node.id)!.command);
    await Promise.all(this.def.nodes.map((n) => this.runSteps(n.id, n.setup ?? [], 'setup')));
    for (const node of this.nodes.values()) node.proc = this.spawn(node.id, node.argv, node.listen);
    await Promise.all([...this.nodes.values()].map((n) => this.waitReady(n, this.opts.readyTimeoutMs ?? 15_000)));
  }

  /** Kernel backend: relays from the harness's loopback to the node's main and named ports. */
  private async exposeNode(id: string): Promise<{ main: Address; ports: Record<string, number> }> {
    const node = this.node(id);
    const main = await this.kernel!.expose(id, node.listen.port, () => this.allocatePort());
    const ports: Record<string, number> = {};
    for (const [name, port] of Object.entries(node.ports)) ports[name] = (await this.kernel!.expose(id, port, () => this.allocatePort())).port;
    return { main, ports };
  }

  /** The placeholders of one node (README, "System definitions"). */
  private placeholderValues(id: string): PlaceholderValues {
    const node = this.def.nodes.find((n) => n.id === id)!;
    const self = this.nodes.get(id)!;
    const peer = (to: string): Address | undefined => (this.kernel ? this.nodes.get(to)?.listen : this.link(id, to)?.listen);
    const peers = node.connectsTo.map((to) => `${to}=${peer(to)!.host}:${peer(to)!.port}`).join(',');
    const own = (n: ClusterNode): PlaceholderValues => ({
      id: n.id, node: process.execPath, dir: '', host: n.listen.host, port: n.listen.port, ports: n.ports, peers: '', members: '', peer: () => undefined,
    });
    // Every node's own addresses, never proxies: a membership list must read the same on every node.
    const members = this.def.members ? [...this.nodes.values()].map((n) => fillPlaceholders(this.def.members!.each, own(n))).join(this.def.members.join) : '';
    return { ...own(self), dir: this.dataDir(id), peers, members, peer };
  }

  private fillArgv(id: string, argv: string[]): string[] {
    const values = this.placeholderValues(id);
    return argv.map((arg) => fillPlaceholders(arg, values));
  }

  /** Runs a node's setup (or teardown) commands in order, in its namespace when it has one; a setup step that fails stops the start. */
  private async runSteps(id: string, steps: string[][], what: 'setup' | 'teardown'): Promise<void> {
    for (const [i, step] of steps.entries()) {
      const argv = this.fillArgv(id, step);
      const out = await this.owner.run({ name: `${id}-${what}`, argv: this.kernel ? this.kernel.wrap(id, argv) : argv, cwd: this.def.dir, env: { SPLITBRAIN_ID: id }, logFile: join(this.opts.logDir, `${id}.log`) });
      if (out.code === 0) continue;
      const message = `node ${id}: ${what}[${i}] exited (${out.signal ?? (out.code === null ? 'could not be started' : `code ${out.code}`)})\n  command: ${argv.join(' ')}\n  cwd: ${this.def.dir}\n  its output:\n${indent(out.output || '(none)')}`;
      if (what === 'setup') throw new ClusterStartError(message);
      process.stderr.write(`splitbrain: ${message}\n`);
      return;
    }
  }

  /** The node's data directory: made on first use, and kept across kill/restart within the run. */
  private dataDir(id: string): string {
    const dir = join(this.opts.dataDir ?? join(this.opts.logDir, '..', 'data'), id);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  private spawn(id: string, argv: string[], listen: Address): OwnedProcess {
    const logFile = join(this.opts.logDir, `${id}.log`);
    if (this.maelstrom !== null) {
      // Its stdin and stdout are the protocol; stderr alone is its log.
      const proc = this.owner.start({ name: id, argv, cwd: this.def.dir, env: { SPLITBRAIN_ID: id }, logFile, stdio: 'protocol' });
      this.maelstrom.attach(id, proc);
      return proc;
    }
    const peers = this.placeholderValues(id).peers;
    return this.owner.start({
      name: id,
      // On the kernel backend the node runs in its own namespace: nsenter execs it, so the pid is the node's.
      argv: this.kernel ? this.kernel.wrap(id, argv) : argv,
      cwd: this.def.dir,
      env: { SPLITBRAIN_ID: id, SPLITBRAIN_LISTEN: `${listen.host}:${listen.port}`, SPLITBRAIN_PEERS: peers },
      logFile,
    });
  }

  /** Ready = answered Maelstrom's `init` with `init_ok`; fails fast if the process dies first. */
  private async waitInitOk(node: ClusterNode, timeoutMs: number): Promise<void> {
    const out = await this.maelstrom!.init(node.id, node.proc, timeoutMs);
    if (out.kind === 'reply' && out.body.type === 'init_ok') return;
    const problem =
      out.kind === 'reply'
        ? `answered init with ${JSON.stringify(out.body)}, not init_ok`
        : out.kind === 'exited'
          ? out.code === null && out.signal === null
            ? 'could not be started'
            : `exited (${out.signal ?? `code ${out.code}`}) before answering init`
          : `did not answer init within ${timeoutMs} ms (a Maelstrom node replies {"type":"init_ok","in_reply_to":<msg_id>} on stdout)`;
    throw new ClusterStartError(
      `node ${node.id} ${problem}\n  command: ${node.argv.join(' ')}\n  cwd: ${this.def.dir}\n  its last output on stderr:\n${indent(node.proc.tail() || '(none)')}`,
    );
  }

  /**
   * Ready = accepts TCP connections on its main (or the named) port, or, with
   * `"ready": "client"`, a client node answers a read through the client
   * driver (a database that accepts connections long before it can serve).
   * Fails fast if the process dies first.
   */
  async waitReady(node: ClusterNode, timeoutMs: number): Promise<void> {
    if (this.maelstrom !== null) return this.waitInitOk(node, timeoutMs);
    const ready = this.def.ready ?? { tcp: null };
    const byClient = 'client' in ready && this.def.clientNodes.includes(node.id);
    const byCommand = 'command' in ready ? this.fillArgv(node.id, ready.command) : null;
    const port = 'tcp' in ready && ready.tcp !== null ? node.ports[ready.tcp] : node.listen.port;
    const what = byClient
      ? 'answering a read through its client driver'
      : byCommand
        ? `its readiness command exiting 0 (${byCommand.join(' ')})`
        : `accepting connections on ${node.listen.host}:${port}`;
    let last = '';
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!node.proc.alive()) {
        const { code, signal } = await node.proc.exited;
        const message =
          `node ${node.id} exited (${signal ?? `code ${code}`}) before ${what}\n` +
          `  command: ${node.argv.join(' ')}\n  cwd: ${this.def.dir}\n  its last output:\n${indent(node.proc.tail() || '(none)')}`;
        // Retried on fresh ports; if it keeps happening (a node that ignores {listen}), the user sees its output.
        throw /EADDRINUSE|address already in use/i.test(node.proc.tail())
          ? new PortConflict(message, `node ${node.id} found its port ${node.listen.port} in use`)
          : new ClusterStartError(message);
      }
      if (byClient) {
        last = await this.readThroughDriver(node.id, Math.min(2000, Math.max(100, deadline - Date.now())));
        if (last === '') return;
      } else if (byCommand) {
        const out = await this.owner.run({ name: `${node.id}-ready`, argv: this.kernel ? this.kernel.wrap(node.id, byCommand) : byCommand, cwd: this.def.dir, env: { SPLITBRAIN_ID: node.id } });
        if (out.code === 0) return;
        last = `exit ${out.signal ?? out.code}${out.output.trim() ? `: ${out.output.trim().split('\n').slice(-1)[0]}` : ''}`;
      } else if (this.kernel ? await this.kernel.probe(node.id, port) : await canConnect({ host: node.listen.host, port })) {
        return;
      }
      await abortableSleep(50);
    }
    throw new ClusterStartError(
      `node ${node.id} did not become ready (${what}) within ${timeoutMs} ms${last ? ` (last answer: ${last})` : ''}\n` +
        `  command: ${node.argv.join(' ')}\n  its last output:\n${indent(node.proc.tail() || '(none)')}`,
    );
  }

  /** One read of the first key through the client driver: '' when it succeeded, else what went wrong. */
  private async readThroughDriver(id: string, timeoutMs: number): Promise<string> {
    const conn = await this.connect(id, timeoutMs);
    if ('error' in conn) return conn.error;
    try {
      const done = await conn.invoke({ f: 'read', key: registerKey(0), value: null, delayMs: 0 }, timeoutMs);
      return done.type === 'ok' ? '' : `${done.type}: ${done.error}`;
    } finally {
      conn.close();
    }
  }

  link(from: string, to: string): Link | undefined {
    return this.links.find((l) => l.from === from && l.to === to);
  }

  /** Where clients reach the node's main port: its client proxy, or on the kernel backend its relay. */
  clientAddress(node: string): Address {
    if (this.kernel) {
      if (!this.def.clientNodes.includes(node)) throw new Error(`no client link to ${node}`);
      return this.exposed.get(node)!.main;
    }
    const l = this.link('client', node);
    if (!l) throw new Error(`no client link to ${node}`);
    return l.listen;
  }

  /** What a client driver is told: the client address, and the named ports as the harness reaches them. */
  private driverTarget(node: string): DriverTarget {
    const main = this.clientAddress(node);
    // Behind proxies only the main port has a client link; named ports are reached directly, on loopback.
    const ports = this.kernel ? this.exposed.get(node)!.ports : this.node(node).ports;
    return { node, host: main.host, port: main.port, ports: { ...ports }, options: this.def.client?.options ?? {} };
  }

  nodeIds(): string[] {
    return [...this.nodes.keys()];
  }

  /** Links between nodes, and from nodes to Maelstrom services (not client links): what latency and cuts act on. */
  nodeLinks(): NodeLink[] {
    if (this.kernel) return this.kernel.links();
    return this.links.filter((l) => l.from !== 'client');
  }

  // ---- network faults ----------------------------------------------------

  /**
   * Cuts each given pair of nodes apart in both directions: A->B and B->A,
   * wherever such proxies exist. Returns the names of the proxies cut.
   */
  async cut(pairs: Array<[string, string]>, mode: PartitionMode): Promise<string[]> {
    if (this.kernel) return this.kernel.cut(pairs, mode);
    const names: string[] = [];
    for (const [a, b] of pairs) {
      for (const l of [this.link(a, b), this.link(b, a)]) {
        if (l && !names.includes(l.name)) names.push(l.name);
      }
    }
    await Promise.all(names.map((name) => this.cutLink(this.links.find((l) => l.name === name)!, mode)));
    return names;
  }

  async cutLink(link: Link, mode: PartitionMode): Promise<void> {
    if (mode === 'reset') {
      // Disabling closes the proxy's connections and its listener: peers see resets and refusals.
      if (this.disabled.has(link.name)) return;
      this.disabled.add(link.name);
      await link.proxy.update({ enabled: false, listen: `${link.listen.host}:${link.listen.port}`, upstream: link.proxy.upstream } as never);
      return;
    }
    // Drop: like an iptables DROP, bytes are held in both directions and nothing is closed.
    await this.addToxic(link, 'partition-up', 'timeout', 'upstream', { timeout: 0 });
    await this.addToxic(link, 'partition-down', 'timeout', 'downstream', { timeout: 0 });
  }

  async addLatency(links: NodeLink[], latencyMs: number, jitterMs: number): Promise<void> {
    if (this.kernel) throw new Error(LATENCY_NEEDS_PROXIES);
    await Promise.all(
      links.map(async ({ name }) => {
        const l = this.links.find((link) => link.name === name);
        if (l === undefined) throw new Error(`no link ${name}`);
        await this.addToxic(l, 'latency-up', 'latency', 'upstream', { latency: latencyMs, jitter: jitterMs });
        await this.addToxic(l, 'latency-down', 'latency', 'downstream', { latency: latencyMs, jitter: jitterMs });
      }),
    );
  }

  private async addToxic(link: Link, name: string, type: string, stream: 'upstream' | 'downstream', attributes: object): Promise<void> {
    const set = this.toxics.get(link.name) ?? new Set<string>();
    this.toxics.set(link.name, set);
    if (set.has(name)) return;
    set.add(name);
    await link.proxy.addToxic({ name, type: type as never, stream, toxicity: 1, attributes });
  }

  /**
   * Removes every toxic the harness added and re-enables disabled proxies.
   * Each undo is retried; what still stands afterwards stays listed in
   * activeNetworkFaults() and the heal throws a HealError naming it, so a
   * failed heal is never recorded as healed.
   */
  async healNetwork(): Promise<void> {
    if (this.kernel) {
      const failed = await this.kernel.heal();
      if (failed.length > 0) throw new HealError(`could not heal the network: ${failed.join('; ')}`);
      return;
    }
    const work: Array<Promise<string | null>> = [];
    for (const [proxyName, names] of this.toxics) {
      const link = this.links.find((l) => l.name === proxyName)!;
      for (const toxic of [...names]) {
        work.push(
          this.retryHeal(`remove toxic ${toxic} of ${proxyName}`, async () => {
            try {
              await (await link.proxy.getToxic(toxic)).remove();
            } catch (err) {
              // Already gone is healed; anything else (the proxy API down, a timeout) is retried.
              if (!isNotFound(err)) throw err;
            }
            names.delete(toxic);
          }),
        );
      }
    }
    for (const name of [...this.disabled]) {
      const link = this.links.find((l) => l.name === name)!;
      work.push(
        this.retryHeal(`re-enable ${name}`, async () => {
          await link.proxy.update({ enabled: true, listen: `${link.listen.host}:${link.listen.port}`, upstream: link.proxy.upstream } as never);
          this.disabled.delete(name);
        }),
      );
    }
    const failures = (await Promise.all(work)).filter((f): f is string => f !== null);
    for (const [proxyName, names] of this.toxics) if (names.size === 0) this.toxics.delete(proxyName);
    if (failures.length > 0) throw new HealError(`could not heal the network: ${failures.join('; ')}`);
  }

  /** Runs one undo up to HEAL_ATTEMPTS times; null when it succeeded, else what failed and why. */
  private async retryHeal(what: string, undo: () => Promise<void>): Promise<string | null> {
    let last: unknown;
    for (let attempt = 1; attempt <= HEAL_ATTEMPTS; attempt++) {
      try {
        await undo();
        return null;
      } catch (err) {
        last = err;
        await abortableSleep(100 * attempt);
      }
    }
    return `${what}: ${(last as Error)?.message ?? String(last)}`;
  }

  activeNetworkFaults(): string[] {
    if (this.kernel) return this.kernel.activeFaults();
    return [...[...this.toxics].filter(([, s]) => s.size > 0).map(([n]) => n), ...this.disabled];
  }

  // ---- process faults ----------------------------------------------------

  async kill(id: string): Promise<void> {
    await this.owner.kill(this.node(id).proc);
  }

  /**
   * Starts a killed node again with the same command, and waits until it is
   * ready. While it was dead, another process may have bound its port: then
   * it moves to a fresh port and the proxies that lead to it are re-pointed,
   * so its peers and clients, who only know the proxies, see no difference.
   */
  async restart(id: string): Promise<void> {
    const node = this.node(id);
    if (node.proc.alive()) return;
    for (let attempt = 1; ; attempt++) {
      try {
        // A Maelstrom node's address is the harness's own inbox, always listening; a kernel-backend
        // node's is in a namespace of its own, where no one else can take it.
        if (this.maelstrom === null && this.kernel === null) await assertPortFree(id, node.listen, 'was taken while it was down');
        node.proc = this.spawn(id, node.argv, node.listen);
        await this.waitReady(node, this.opts.readyTimeoutMs ?? 15_000);
        return;
      } catch (err) {
        if (!(err instanceof PortConflict) || attempt >= BOOT_ATTEMPTS) throw err;
        process.stderr.write(`splitbrain: ${err.short}; restarting it on a fresh port\n`);
        await this.relocate(node);
      }
    }
  }

  private allocatePort(): Promise<number> {
    return (this.opts.allocatePort ?? freePort)();
  }

  private async relocate(node: ClusterNode): Promise<void> {
    node.listen = { host: HOST, port: await this.allocatePort() };
    node.argv = this.fillArgv(node.id, this.def.nodes.find((n) => n.id === node.id)!.command);
    await Promise.all(
      this.links
        .filter((l) => l.to === node.id)
        .map(async (l) => {
          const body = { enabled: !this.disabled.has(l.name), listen: `${l.listen.host}:${l.listen.port}`, upstream: `${node.listen.host}:${node.listen.port}` };
          l.proxy = await l.proxy.update(body as never);
        }),
    );
  }

  async pause(id: string): Promise<void> {
    this.owner.signal(this.node(id).proc, 'SIGSTOP');
  }

  async resume(id: string): Promise<void> {
    this.owner.signal(this.node(id).proc, 'SIGCONT');
  }

  connect(node: string, timeoutMs: number): Promise<ClientConnection | { error: string }> {
    return openDriverConnection(this.driver, this.driverTarget(node), timeoutMs);
  }

  /** The namespaces and rules of a kernel-backend system (tests look inside); null behind proxies. */
  get kernelNetwork(): KernelNetwork | null {
    return this.kernel;
  }

  /** What the Maelstrom relays counted (lines, malformed lines, losses), for results.json; null for TCP nodes. */
  maelstromStats(): MaelstromStats | null {
    return this.maelstrom?.stats() ?? null;
  }

  private node(id: string): ClusterNode {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  /** Who is primary now, per the definition's `primary` field; null if unknown or unanswered. */
  /** A coordinator may ask its view service before it answers: give it time. */
  async primary(timeoutMs = 2000): Promise<string | null> {
    const p = this.def.primary;
    if (!p) return null;
    if ('static' in p) return p.static;
    const out = await this.ask(p.ask, { type: 'primary' }, timeoutMs);
    if (out.kind !== 'reply' || out.body.type !== 'primary_ok') return null;
    const primary = out.body.primary;
    return typeof primary === 'string' && this.nodes.has(primary) ? primary : null;
  }

  async ask(id: string, body: Record<string, unknown>, timeoutMs: number): Promise<Outcome> {
    const node = this.node(id);
    // Asked directly (behind proxies) or through its relay (kernel backend): the harness's question is no client's traffic.
    const at = this.kernel ? this.exposed.get(node.id)!.main : node.listen;
    if (this.maelstrom === null) return askOnce(at.host, at.port, body, timeoutMs);
    const out = await this.maelstrom.ask(node.id, node.proc, body, timeoutMs);
    if (out.kind === 'exited') return { kind: 'closed', sent: true, reason: `the node exited (${out.signal ?? `code ${out.code}`})` };
    return out.kind === 'reply' ? { kind: 'reply', body: { ...out.body, type: String(out.body.type) } } : out;
  }

  /** The node's log so far (its stderr; for a TCP node, stdout too). */
  log(id: string): string {
    try {
      return readFileSync(join(this.opts.logDir, `${id}.log`), 'utf8');
    } catch {
      return '';
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    // Teardown steps run once the nodes are down, while their namespaces still stand.
    const teardown = this.def.nodes.filter((n) => (n.teardown ?? []).length > 0 && this.nodes.has(n.id));
    if (teardown.length > 0) {
      await Promise.all(teardown.map((n) => (this.nodes.get(n.id)!.proc ? this.owner.stop(this.nodes.get(n.id)!.proc) : undefined)));
      await Promise.all(teardown.map((n) => this.runSteps(n.id, n.teardown!, 'teardown').catch(() => undefined)));
    }
    await this.owner.stopAll();
    this.kernel?.close();
    await this.maelstrom?.close();
    if (!this.faultProxy.owned) {
      await Promise.all(this.links.map((l) => l.proxy.remove().catch(() => undefined)));
    }
    await this.faultProxy.close();
  }
}

function parseAddress(s: string): Address {
  const i = s.lastIndexOf(':');
  const host = s.slice(0, i);
  return { host: host === '' || host === '[::]' || host === '0.0.0.0' || host === 'localhost' ? HOST : host, port: Number(s.slice(i + 1)) };
}

/** Someone else answering on a node's port would pass for the node's readiness while the node dies on EADDRINUSE. */
async function assertPortFree(id: string, address: Address, what: string): Promise<void> {
  if (!(await canConnect(address))) return;
  const short = `port ${address.port} of node ${id} ${what}`;
  throw new PortConflict(short, short);
}

/** Whether binding `port` on loopback fails with EADDRINUSE right now. */
function portTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'EADDRINUSE'));
    probe.listen(port, HOST, () => probe.close(() => resolve(false)));
  });
}

function isNotFound(err: unknown): boolean {
  const e = err as { response?: { status?: number }; status?: number; message?: string };
  return e?.response?.status === 404 || e?.status === 404 || /\b404\b|not found/i.test(e?.message ?? '');
}

function canConnect(a: Address): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: a.host, port: a.port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
    s.setTimeout(500, () => done(false));
  });
}


function indent(s: string): string {
  return s
    .trimEnd()
    .split('\n')
    .slice(-20)
    .map((l) => `    ${l}`)
    .join('\n');
}
