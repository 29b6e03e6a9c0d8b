// The kernel network backend: partitions below the application, for systems
// that cannot be given a different address per peer (an etcd member's id is
// derived from its advertised peer URLs, which every member must see alike,
// so a proxy per directed link is impossible).
//
// Each node gets a host of its own, as each Jepsen node has: a network
// namespace with one interface and one address. The run gets one more
// namespace, holding the bridge the nodes' interfaces hang from. A grudge
// becomes packet-filter rules inside the namespaces of the nodes concerned
// (as Jepsen's `iptables -A INPUT -s PEER -j DROP` on each host).
//
// Nothing is done to the machine's own network: every interface, address,
// route, sysctl and rule lives in a namespace the run created. Each
// namespace is held open by one process the run's ProcessOwner owns (the
// relay for the run's, `unshare --net sleep` for each node's), and is never
// named or bind-mounted, so it disappears, rules and all, when its last
// process is gone: after stop(), Ctrl-C, or a SIGKILL of the harness (the
// owner's watchdog kills the holders).
//
// Addresses: the nodes are 127.77.0.11, .12, ... on their interfaces, and
// the bridge 127.77.0.1. Loopback-range addresses are not routed between
// interfaces unless `route_localnet` is set, which is set only inside these
// namespaces; in the machine's own namespace the same addresses are its
// loopback, so nothing aimed at a node can ever leave the machine. The
// harness itself never sends to a node's address: clients reach a node
// through the relay (netnsRelay.js), which listens on the harness's loopback
// and connects from inside the run's namespace.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer, type Server } from 'node:net';
import type { NodeLink, PartitionMode } from '../engine/cluster.ts';
import { abortableSleep } from '../engine/wallClock.ts';
import type { OwnedProcess, ProcessOwner } from './processes.ts';
import { missingPrograms } from './which.ts';

const RELAY = join(dirname(fileURLToPath(import.meta.url)), 'netnsRelay.js');
const SUBNET = '127.77.0';
const BRIDGE_ADDRESS = `${SUBNET}.1`;
const FIRST_NODE = 11;
/** The programs it runs, and the Debian packages they come in. */
const TOOLS = { unshare: 'util-linux', nsenter: 'util-linux', ip: 'iproute2', 'iptables-restore': 'iptables', sysctl: 'procps', sleep: 'coreutils' };

/** The kernel backend cannot be set up here (not root, a tool missing); the message says what to do. */
export class KernelNetworkError extends Error {}

export interface Address {
  host: string;
  port: number;
}

let canUnshare: SpawnSyncReturns<string> | undefined;

/**
 * Why the kernel backend cannot run on this machine, or null when it can:
 * it needs root (network namespaces and packet filters) and the tools of
 * Debian's util-linux, iproute2, iptables and procps packages.
 */
export function kernelNetworkUnavailable(): string | null {
  if (process.platform !== 'linux') return 'the kernel network backend needs Linux (network namespaces)';
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'the kernel network backend needs root (it creates network namespaces and packet-filter rules inside them)';
  const missing = missingPrograms(TOOLS);
  if (missing !== null) return `the kernel network backend needs programs that are missing: ${missing}`;
  // Root is not always enough (a container without CAP_SYS_ADMIN): ask the kernel once.
  canUnshare ??= spawnSync('unshare', ['--net', 'true'], { encoding: 'utf8' });
  if (canUnshare.status !== 0) return `the kernel network backend cannot create network namespaces here (unshare --net: ${(canUnshare.stderr || canUnshare.error?.message || `exit ${canUnshare.status}`).trim()})`;
  return null;
}

interface Host {
  id: string;
  address: string;
  holder: OwnedProcess;
}

export class KernelNetwork {
  private readonly hosts = new Map<string, Host>();
  /** Per node, the peers it may not exchange packets with, and how they are refused. */
  private readonly grudges = new Map<string, Map<string, PartitionMode>>();
  /** Nodes whose rules could not be removed: the heal failed there. */
  private readonly stuck = new Set<string>();
  private readonly listeners: Server[] = [];
  private readonly pending = new Map<number, (msg: Record<string, unknown>) => void>();
  private nextId = 1;

  private constructor(
    private readonly owner: ProcessOwner,
    private readonly relay: OwnedProcess,
    private readonly logDir: string,
  ) {
    relay.child.on('message', (msg: Record<string, unknown>) => {
      const settle = this.pending.get(msg.id as number);
      if (settle) {
        this.pending.delete(msg.id as number);
        settle(msg);
      }
    });
    void relay.exited.then(() => {
      for (const settle of this.pending.values()) settle({ type: 'error', error: "the run's network namespace is gone (its relay exited)" });
      this.pending.clear();
    });
  }

  /** Builds the run's namespace, the bridge, and one namespace per node with its address. */
  static async open(opts: { owner: ProcessOwner; nodeIds: string[]; logDir: string }): Promise<KernelNetwork> {
    const problem = kernelNetworkUnavailable();
    if (problem !== null) throw new KernelNetworkError(problem);
    if (opts.nodeIds.length > 250 - FIRST_NODE) throw new KernelNetworkError(`the kernel network backend gives each node an address in ${SUBNET}.0/24: at most ${250 - FIRST_NODE} nodes`);
    const relay = opts.owner.start({ name: 'netns', argv: ['unshare', '--net', '--', process.execPath, RELAY], cwd: dirname(RELAY), ipc: true, logFile: join(opts.logDir, 'netns.log') });
    await new Promise<void>((resolve, reject) => {
      relay.child.once('message', () => resolve());
      void relay.exited.then(() => reject(new KernelNetworkError(`could not create the run's network namespace (unshare --net): ${relay.tail().trim() || 'it exited at once'}`)));
    });
    const net = new KernelNetwork(opts.owner, relay, opts.logDir);
    try {
      await net.inRun(['sysctl', '-q', '-w', 'net.ipv4.conf.all.route_localnet=1', 'net.ipv4.conf.default.route_localnet=1']);
      await net.ipBatch(relay.pid, ['link add sb-bridge type bridge', `addr add ${BRIDGE_ADDRESS}/24 dev sb-bridge`, 'link set sb-bridge up']);
      await Promise.all(opts.nodeIds.map(async (id, i) => net.hosts.set(id, { id, address: `${SUBNET}.${FIRST_NODE + i}`, holder: await net.startHolder(id) })));
      const ordered = opts.nodeIds.map((id) => net.hosts.get(id)!);
      await net.ipBatch(
        relay.pid,
        ordered.flatMap((h, i) => [`link add sb-${i} type veth peer name eth0 netns ${h.holder.pid}`, `link set sb-${i} master sb-bridge`, `link set sb-${i} up`]),
      );
      await Promise.all(
        ordered.map(async (h) => {
          // lo keeps 127.0.0.1 for the node's own use, as /32, so the rest of 127/8 goes out on eth0.
          await net.ipBatch(h.holder.pid, ['link set lo up', 'addr del 127.0.0.1/8 dev lo', 'addr add 127.0.0.1/32 dev lo', `addr add ${h.address}/24 dev eth0`, 'link set eth0 up']);
        }),
      );
    } catch (err) {
      // The owner stops what was started; the namespaces go with their holders.
      throw err instanceof KernelNetworkError ? err : new KernelNetworkError(`could not set up the run's network namespaces: ${(err as Error).message}`);
    }
    return net;
  }

  /** A node's namespace: `unshare --net` around a sleep that holds it, with route_localnet set inside. */
  private async startHolder(id: string): Promise<OwnedProcess> {
    const holder = this.owner.start({
      name: `${id}-netns`,
      argv: ['unshare', '--net', '--', 'sh', '-c', 'sysctl -q -w net.ipv4.conf.all.route_localnet=1 net.ipv4.conf.default.route_localnet=1 && echo up && exec sleep infinity'],
      cwd: '/',
      logFile: join(this.logDir, 'netns.log'),
    });
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      holder.child.stdout?.on('data', (d: Buffer) => {
        seen += d.toString();
        if (seen.includes('up\n')) resolve();
      });
      void holder.exited.then(() => reject(new KernelNetworkError(`could not create ${id}'s network namespace: ${holder.tail().trim() || 'it exited at once'}`)));
    });
    // Paranoia worth its cost: rules go into this namespace only if it is not the harness's own.
    if (readlinkSync(`/proc/${holder.pid}/ns/net`) === readlinkSync('/proc/self/ns/net')) throw new KernelNetworkError(`${id}'s namespace holder is in the harness's own network namespace`);
    return holder;
  }

  /** The node's own address, the same for every node that reaches it. */
  hostOf(id: string): string {
    return this.host(id).address;
  }

  /** argv that runs `argv` inside the node's namespace (nsenter execs it: the pid is the node's). */
  wrap(id: string, argv: string[]): string[] {
    return ['nsenter', `--net=/proc/${this.host(id).holder.pid}/ns/net`, '--', ...argv];
  }

  /** Every ordered pair of nodes: at the packet level, every node can reach every other. */
  links(): NodeLink[] {
    const ids = [...this.hosts.keys()];
    return ids.flatMap((from) => ids.filter((to) => to !== from).map((to) => ({ name: `${from}->${to}`, from, to })));
  }

  /**
   * A loopback address in the harness's namespace that leads to the node's
   * port: the listener is made here and handed to the relay, which connects
   * from inside the run's namespace. Client links are never cut.
   */
  async expose(id: string, port: number, allocatePort: () => Promise<number>): Promise<Address> {
    const host = this.host(id);
    const listen = { host: '127.0.0.1', port: await allocatePort() };
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(listen.port, listen.host, () => resolve());
    });
    this.listeners.push(server);
    const reply = await this.ask({ type: 'relay', host: host.address, port }, server);
    // The relay holds its own copy of the socket; ours would take a share of the connections.
    server.close();
    if (reply.type !== 'relaying') throw new KernelNetworkError(`could not relay ${listen.host}:${listen.port} to ${id}: ${String(reply.error)}`);
    return listen;
  }

  /** Whether the node accepts connections on `port`, asked from inside the run's namespace. */
  async probe(id: string, port: number): Promise<boolean> {
    const reply = await this.ask({ type: 'probe', host: this.hostOf(id), port, timeoutMs: 500 });
    return reply.ok === true;
  }

  /** Cuts each pair apart, both directions, by rules in both nodes' namespaces; returns the links cut. */
  async cut(pairs: Array<[string, string]>, mode: PartitionMode): Promise<string[]> {
    const names: string[] = [];
    const touched = new Set<string>();
    for (const [a, b] of pairs) {
      for (const [from, to] of [[a, b], [b, a]]) {
        this.host(from);
        this.host(to);
        const g = this.grudges.get(from) ?? new Map<string, PartitionMode>();
        this.grudges.set(from, g);
        if (!g.has(to)) g.set(to, mode);
        touched.add(from);
        if (!names.includes(`${from}->${to}`)) names.push(`${from}->${to}`);
      }
    }
    await Promise.all([...touched].map((id) => this.applyRules(id)));
    return names;
  }

  /**
   * Removes every rule. Each node's table is replaced whole (iptables-restore
   * is atomic); a node whose rules could not be removed after retries stays
   * listed in activeFaults() and the heal throws, naming it.
   */
  async heal(): Promise<string[]> {
    const ids = [...new Set([...this.grudges.keys(), ...this.stuck])];
    this.grudges.clear();
    const failures: string[] = [];
    await Promise.all(
      ids.map(async (id) => {
        for (let attempt = 1; ; attempt++) {
          try {
            await this.applyRules(id);
            this.stuck.delete(id);
            return;
          } catch (err) {
            if (attempt >= 4) {
              this.stuck.add(id);
              failures.push(`remove the rules of ${id}: ${(err as Error).message}`);
              return;
            }
            await abortableSleep(100 * attempt);
          }
        }
      }),
    );
    return failures;
  }

  /** Links that still carry a rule. */
  activeFaults(): string[] {
    const names: string[] = [];
    for (const [from, g] of this.grudges) for (const to of g.keys()) names.push(`${from}->${to}`);
    for (const id of this.stuck) if (!this.grudges.has(id)) names.push(`${id}->*`);
    return names;
  }

  /** The node's filter table as it should be: its grudges, and nothing else. */
  rulesFor(id: string): string {
    const lines = ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]'];
    for (const [peer, mode] of this.grudges.get(id) ?? []) {
      const addr = this.hostOf(peer);
      if (mode === 'drop') {
        // Packets vanish both ways, as with Jepsen's iptables DROP: senders see nothing until their timeouts.
        lines.push(`-A INPUT -s ${addr}/32 -j DROP`, `-A OUTPUT -d ${addr}/32 -j DROP`);
      } else {
        // Refused at once: a TCP reset (or port-unreachable) to the sender's own socket, for connects and established connections alike.
        lines.push(`-A OUTPUT -d ${addr}/32 -p tcp -j REJECT --reject-with tcp-reset`, `-A OUTPUT -d ${addr}/32 -j REJECT --reject-with icmp-port-unreachable`);
      }
    }
    lines.push('COMMIT', '');
    return lines.join('\n');
  }

  private async applyRules(id: string): Promise<void> {
    const out = await this.owner.run({ name: `${id}-iptables`, argv: this.wrap(id, ['iptables-restore']), cwd: '/', input: this.rulesFor(id) });
    if (out.code !== 0) throw new Error(`iptables-restore in ${id}'s namespace exited ${out.signal ?? out.code}: ${out.output.trim()}`);
  }

  private async inRun(argv: string[]): Promise<void> {
    const out = await this.owner.run({ name: 'netns-setup', argv: ['nsenter', `--net=/proc/${this.relay.pid}/ns/net`, '--', ...argv], cwd: '/' });
    if (out.code !== 0) throw new KernelNetworkError(`${argv.join(' ')} exited ${out.signal ?? out.code}: ${out.output.trim()}`);
  }

  private async ipBatch(pid: number, commands: string[]): Promise<void> {
    const out = await this.owner.run({ name: 'netns-setup', argv: ['nsenter', `--net=/proc/${pid}/ns/net`, '--', 'ip', '-batch', '-'], cwd: '/', input: commands.join('\n') + '\n' });
    if (out.code !== 0) throw new KernelNetworkError(`ip -batch (${commands.join('; ')}) exited ${out.signal ?? out.code}: ${out.output.trim()}`);
  }

  private ask(msg: Record<string, unknown>, handle?: Server): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      if (!this.relay.alive()) return resolve({ type: 'error', error: "the run's network namespace is gone (its relay exited)" });
      this.pending.set(id, resolve);
      this.relay.child.send({ ...msg, id }, handle as never);
    });
  }

  private host(id: string): Host {
    const h = this.hosts.get(id);
    if (!h) throw new Error(`no node ${id}`);
    return h;
  }

  /** The namespaces the run made (as /proc/PID/ns/net names them, e.g. `net:[4026532890]`): the run's, then each node's. */
  namespaces(): string[] {
    return [this.relay.pid, ...[...this.hosts.values()].map((h) => h.holder.pid)].map((pid) => readlinkSync(`/proc/${pid}/ns/net`));
  }

  /** Our copies of the relay's listeners are closed already; the relay and holders are the owner's to stop. */
  close(): void {
    for (const s of this.listeners) s.close();
  }
}
