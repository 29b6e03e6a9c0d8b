// The Maelstrom node protocol on real processes: Maelstrom's network, where
// nodes exchange JSON envelopes on stdin and stdout, laid over the process
// engine's proxies. Per node an inbox for its peers' links and one for
// clients (both harness listeners on 127.0.0.1, the upstreams of the proxies
// `A->node` and `client->node`), its relay (relay.ts), and the services
// every node can address (serviceServer.ts). The harness itself is client
// c0: it sends `init` and reads `init_ok` straight over stdin and stdout,
// never through a proxy, so no fault can stop a node from starting.
import { createServer, type Server } from 'node:net';
import type { Address } from '../cluster/cluster.ts';
import type { OwnedProcess } from '../cluster/processes.ts';
import { MAELSTROM_SERVICES } from '../system/definition.ts';
import type { StreamSocket } from '../toxiproxy/inProcess.ts';
import { LineSplitter, readFrames } from './framing.ts';
import { listenOnFreshPort } from './listen.ts';
import { CLIENT_ID, HARNESS_ID, NodeRelay, type NodeMessage, type RelayStats } from './relay.ts';
import { ServiceServer } from './serviceServer.ts';
import type { ServiceName } from './services.ts';

export interface MaelstromStats {
  nodes: Record<string, RelayStats>;
  /** Requests each service answered. */
  services: Record<string, number>;
}

/** What became of a question the harness put to a node. */
export type AskOutcome =
  | { kind: 'reply'; body: Record<string, unknown> }
  | { kind: 'exited'; code: number | null; signal: NodeJS.Signals | null }
  | { kind: 'timeout' };

export interface NetworkOptions {
  nodeIds: string[];
  /** Seeds the weak services' choices (seq-kv's stale states, lww-kv's replicas). */
  random: () => number;
  allocatePort: () => Promise<number>;
}

interface Inboxes {
  peers: Server;
  peersAddress: Address;
  clients: Server;
  clientsAddress: Address;
}

export class MaelstromNetwork {
  private readonly relays = new Map<string, NodeRelay>();
  private readonly inboxes = new Map<string, Inboxes>();
  private readonly services = new Map<string, ServiceServer>();
  private readonly clients = new Map<string, StreamSocket>();
  private readonly pending = new Map<number, (body: Record<string, unknown>) => void>();
  private linkAddress: (from: string, to: string) => Address | undefined = () => undefined;
  private nextClient = 1;
  private nextAsk = 1;

  private constructor(readonly nodeIds: string[]) {}

  /** Opens every inbox and service; the proxies are made afterwards, pointing at them, and handed over with useLinks. */
  static async open(opts: NetworkOptions): Promise<MaelstromNetwork> {
    const net = new MaelstromNetwork(opts.nodeIds);
    try {
      for (const name of MAELSTROM_SERVICES) net.services.set(name, await ServiceServer.open(name as ServiceName, opts.random, opts.allocatePort));
      for (const id of opts.nodeIds) {
        const relay = new NodeRelay(id, {
          isNode: (n) => net.relays.has(n),
          isService: (n) => net.services.has(n),
          linkAddress: (from, to) => net.linkAddress(from, to),
          clientSocket: (c) => net.clients.get(c),
          toHarness: (msg) => net.fromNode(msg),
        });
        net.relays.set(id, relay);
        const onPeer = (s: StreamSocket) => net.servePeer(relay, s);
        const onClient = (s: StreamSocket) => net.serveClient(relay, s);
        const peers = createServer(onPeer);
        const clients = createServer(onClient);
        net.inboxes.set(id, { peers, clients, peersAddress: await listenOnFreshPort(peers, opts.allocatePort, onPeer), clientsAddress: await listenOnFreshPort(clients, opts.allocatePort, onClient) });
      }
    } catch (err) {
      await net.close();
      throw err;
    }
    return net;
  }

  serviceNames(): string[] {
    return [...this.services.keys()];
  }

  /** Where the proxies `X->id` lead: the node's inbox for its peers. */
  peerInbox(id: string): Address {
    return this.inboxes.get(id)!.peersAddress;
  }

  /** Where the proxy `client->id` leads. */
  clientInbox(id: string): Address {
    return this.inboxes.get(id)!.clientsAddress;
  }

  serviceAddress(name: string): Address {
    return this.services.get(name)!.address;
  }

  /** The relays send `from->to` through the proxy this returns (undefined: no such link). */
  useLinks(linkAddress: (from: string, to: string) => Address | undefined): void {
    this.linkAddress = linkAddress;
  }

  /** Hands a freshly started node's stdin and stdout to its relay. */
  attach(id: string, proc: OwnedProcess): void {
    this.relays.get(id)!.attach(proc);
  }

  /** A fresh client id (c1, c2, ...), one per client connection, as Maelstrom gives each client its own. */
  clientId(): string {
    return `c${this.nextClient++}`;
  }

  /** Sends `init`, as Maelstrom does, and waits for the node's answer. */
  init(id: string, proc: OwnedProcess, timeoutMs: number): Promise<AskOutcome> {
    return this.ask(id, proc, { type: 'init', node_id: id, node_ids: this.nodeIds }, timeoutMs);
  }

  /** Puts one request to a node straight on its stdin, from c0, and waits for the reply, the node's exit, or the timeout. */
  async ask(id: string, proc: OwnedProcess, body: Record<string, unknown>, timeoutMs: number): Promise<AskOutcome> {
    const msgId = this.nextAsk++;
    let timer: NodeJS.Timeout | undefined;
    const reply = new Promise<AskOutcome>((resolve) => this.pending.set(msgId, (b) => resolve({ kind: 'reply', body: b })));
    const timeout = new Promise<AskOutcome>((resolve) => (timer = setTimeout(() => resolve({ kind: 'timeout' }), timeoutMs)));
    const exited = proc.exited.then(({ code, signal }): AskOutcome => ({ kind: 'exited', code, signal }));
    this.relays.get(id)!.deliver(JSON.stringify({ src: HARNESS_ID, dest: id, body: { ...body, msg_id: msgId } }));
    try {
      return await Promise.race([reply, exited, timeout]);
    } finally {
      clearTimeout(timer);
      this.pending.delete(msgId);
    }
  }

  stats(): MaelstromStats {
    return {
      nodes: Object.fromEntries([...this.relays].map(([id, r]) => [id, r.snapshot()])),
      services: Object.fromEntries([...this.services].map(([name, s]) => [name, s.requests])),
    };
  }

  async close(): Promise<void> {
    for (const relay of this.relays.values()) relay.close();
    for (const socket of this.clients.values()) socket.destroy();
    const closing = [...this.services.values()].map((s) => s.close());
    for (const { peers, clients } of this.inboxes.values()) closing.push(closeServer(peers), closeServer(clients));
    await Promise.all(closing);
  }

  private fromNode(msg: NodeMessage): void {
    const body = msg.body as Record<string, unknown> | undefined;
    const settle = typeof body?.in_reply_to === 'number' ? this.pending.get(body.in_reply_to) : undefined;
    settle?.(body!);
  }

  /** A peer's link into this node: framed lines, passed on whole or not at all. */
  private servePeer(relay: NodeRelay, socket: StreamSocket): void {
    socket.on('error', () => undefined);
    if (!relay.accept(socket)) return;
    readFrames(
      socket,
      (line) => relay.deliver(line),
      () => relay.damagedFrame(),
    );
  }

  /** A client's connection: envelopes from c1, c2, ...; replies to that client go back on it. */
  private serveClient(relay: NodeRelay, socket: StreamSocket): void {
    socket.on('error', () => undefined);
    if (!relay.accept(socket)) return;
    socket.setNoDelay(true);
    socket.setEncoding('utf8');
    const mine = new Set<string>();
    socket.once('close', () => {
      for (const c of mine) if (this.clients.get(c) === socket) this.clients.delete(c);
    });
    const lines = new LineSplitter((line) => {
      let msg: { src?: unknown };
      try {
        msg = JSON.parse(line);
      } catch {
        return; // only the harness's clients write here, and they write whole envelopes
      }
      if (typeof msg?.src !== 'string' || !CLIENT_ID.test(msg.src) || msg.src === HARNESS_ID) return;
      if (!mine.has(msg.src)) {
        mine.add(msg.src);
        this.clients.set(msg.src, socket);
      }
      relay.deliver(line);
    });
    socket.on('data', (chunk: string) => lines.push(chunk));
  }
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
}
