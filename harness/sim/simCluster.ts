// The simulation engine: the very node code of a system (its Env role
// factories) on the in-memory network of system-under-test/runtime/simnet.ts,
// behind the same Cluster interface as real processes. Time is virtual: the
// harness's own loops (workload, nemesis cycles) sleep on this cluster's
// clock, and a pump moves the clock to the next event whenever every harness
// task is waiting. A run is then a pure function of (system, options, seed).
//
// The pump's one rule: virtual time moves only when no harness code can run.
// Harness continuations are promise callbacks; after anything that may have
// resolved one (a harness timer, a reply to a client), the pump waits for a
// process.nextTick queued from a microtask, which Node runs only once the
// microtask queue is empty: every harness continuation, however long its
// chain of awaits, has run and is waiting again. (A setImmediate would do too, at the price of a trip
// around the event loop per wake-up.) So the harness never sees time jump
// while it had work to do, and the interleaving is the same on every run.
// Nothing in a simulated run may await real I/O.
import type { Body, NodeFactory, TimerId } from '../../system-under-test/runtime/env.ts';
import { IdTable } from '../../system-under-test/runtime/idTable.ts';
import { SimNetwork } from '../../system-under-test/runtime/simnet.ts';
import type { Outcome } from '../client/wireConnection.ts';
import type { ClientConnection, Clock, Cluster, MessageFaults, NodeLink, PartitionMode } from '../engine/cluster.ts';
import type { SystemDefinition } from '../system/definition.ts';
import type { JournalEntry } from './journal.ts';
import { classify, requestBody, type RegisterOp } from '../workloads/register.ts';

export interface SimClusterOptions {
  seed: number;
  /** Node factories by role name (the definition's `simulation.roles` module). */
  roles: Record<string, NodeFactory>;
  /** Every message takes up to this long (ms, uniform), so concurrent operations interleave; default 2. */
  networkDelayMs?: number;
  /** The pump refuses to run the clock past this (ms): a harness waiting on something that never comes. */
  maxVirtualMs?: number;
  /** Keep a journal of every message delivered between nodes (for a run whose report will show it). */
  journal?: boolean;
}

/** How often the pump lets the real event loop in (signals, progress lines): every this many events. */
const YIELD_EVERY_EVENTS = 5000;

export class SimCluster implements Cluster {
  readonly engine = 'sim' as const;
  readonly net: SimNetwork;
  readonly clock: Clock;
  readonly messageFaults: MessageFaults;
  /** Messages delivered between nodes, when asked for (SimClusterOptions.journal). */
  readonly journal: JournalEntry[] | null;
  private readonly links: NodeLink[];
  private readonly killed = new Set<string>();
  private readonly faulty = new Set<string>();
  private readonly connections = new Map<string, SimConnection>();
  private nextEndpoint = 1;
  /** Starts true: whoever started the cluster is running, and time must not move before it waits. */
  private woken = true;
  private stopped = false;
  private pumping: Promise<void> | null = null;
  private pumpError: Error | null = null;
  /**
   * Sleeps an abort cuts short, per signal, with one abort listener per
   * signal: a listener added and removed per sleep (one per operation) cost
   * more than the sleep.
   */
  private readonly sleepers = new Map<AbortSignal, { sleeping: Map<TimerId, () => void>; onAbort: () => void }>();

  private constructor(
    readonly def: SystemDefinition,
    private readonly opts: SimClusterOptions,
  ) {
    this.net = new SimNetwork({ seed: opts.seed, fifoLinks: true, independentStreams: true });
    this.links = def.nodes.flatMap((n) => n.connectsTo.map((to) => ({ name: `${n.id}->${to}`, from: n.id, to })));
    const net = this.net;
    this.clock = {
      now: () => net.now,
      nowNs: () => Math.round(net.now * 1e6),
      sleep: (ms, signal) => this.sleep(ms, signal),
    };
    const journal: JournalEntry[] | null = opts.journal ? [] : null;
    this.journal = journal;
    if (journal !== null) {
      const nodes = new Set(def.nodes.map((n) => n.id));
      this.net.hook = (m) => {
        if (nodes.has(m.from) && nodes.has(m.to)) journal.push({ t: net.now, from: m.from, to: m.to, body: m.body });
        return true;
      };
    }
    this.messageFaults = {
      lose: async (links, p) => this.onBothWays(links, (a, b) => net.drop(a, b, p)),
      loseAnswers: async (links, p) => {
        for (const l of links) {
          net.drop(l.to, l.from, p);
          this.faulty.add(l.name);
        }
      },
      duplicate: async (links, p) => this.onBothWays(links, (a, b) => net.duplicate(a, b, p)),
      reorder: async (links, spreadMs) => this.onBothWays(links, (a, b) => net.reorder(a, b, spreadMs)),
    };
  }

  static async start(def: SystemDefinition, opts: SimClusterOptions): Promise<SimCluster> {
    const cluster = new SimCluster(def, opts);
    cluster.applyBaseDelay();
    for (const node of def.nodes) cluster.net.add(node.id, node.connectsTo, opts.roles[node.role]);
    cluster.pumping = cluster.pump();
    return cluster;
  }

  // ---- time ----------------------------------------------------------------

  private sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (ms <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const sleeping = signal === undefined ? null : this.sleepersOf(signal);
      const id = this.net.schedule(ms, () => {
        sleeping?.delete(id);
        this.wake();
        resolve();
      });
      sleeping?.set(id, resolve);
    });
  }

  /** The sleeps on `signal`, which its abort ends (each at once, in the order they began). */
  private sleepersOf(signal: AbortSignal): Map<TimerId, () => void> {
    let s = this.sleepers.get(signal);
    if (s === undefined) {
      const sleeping = new Map<TimerId, () => void>();
      const onAbort = () => {
        for (const [id, resolve] of sleeping) {
          this.net.unschedule(id);
          resolve();
        }
        sleeping.clear();
      };
      s = { sleeping, onAbort };
      this.sleepers.set(signal, s);
      signal.addEventListener('abort', onAbort, { once: true });
    }
    return s.sleeping;
  }

  /** Marks that harness code may be runnable, so the pump yields before moving the clock. */
  wake(): void {
    this.woken = true;
  }

  /**
   * Runs the clock forward whenever no harness code can run, until stopped;
   * the promise settles when the pump ends (rejected if the run went wrong).
   * Each step is a plain callback, not a promise continuation: a wake-up
   * then costs a queued microtask and a tick, not a promise and an await.
   */
  private pump(): Promise<void> {
    return new Promise((resolve, reject) => {
      const limit = this.opts.maxVirtualMs ?? 24 * 3600_000;
      let sinceYield = 0;
      // A nextTick queued from a microtask runs once the microtask queue is empty (see the header);
      // one queued from a tick would run before the harness continuations still waiting there.
      const afterMicrotasks = () => process.nextTick(step);
      const settled = Promise.resolve();
      const step = (): void => {
        try {
          while (!this.stopped) {
            if (sinceYield >= YIELD_EVERY_EVENTS) {
              sinceYield = 0;
              setImmediate(step);
              return;
            }
            if (this.woken) {
              this.woken = false;
              // A reaction on a settled promise: queued at once, as queueMicrotask queues, but without the
              // AsyncResource and bound function Node's queueMicrotask makes per call.
              settled.then(afterMicrotasks);
              return;
            }
            const next = this.net.nextEventAt();
            if (next === Infinity) {
              // Nothing can happen in the simulation; whatever the harness awaits is outside it.
              setImmediate(step);
              return;
            }
            if (next > limit) throw new Error(`simulation ran past ${limit} ms of virtual time with the harness still waiting`);
            this.net.advance(next - this.net.now);
            sinceYield++;
          }
          resolve();
        } catch (err) {
          this.pumpError = err as Error;
          reject(err);
        }
      };
      // Whoever started the cluster is running (woken starts true): the first step waits for it.
      this.woken = false;
      process.nextTick(step);
    });
  }

  // ---- topology --------------------------------------------------------------

  nodeIds(): string[] {
    return this.def.nodes.map((n) => n.id);
  }

  nodeLinks(): NodeLink[] {
    return this.links;
  }

  /** A fault on link A->B acts on everything between A and B, as a fault on the proxy A->B acts on both streams of A's connection. */
  private onBothWays(links: NodeLink[], act: (a: string, b: string) => void): void {
    for (const l of links) {
      act(l.from, l.to);
      act(l.to, l.from);
      this.faulty.add(l.name);
    }
  }

  private applyBaseDelay(): void {
    // Jitter only: per-link FIFO keeps each link's order, different links interleave.
    this.net.latency('*', '*', 0, this.opts.networkDelayMs ?? 2);
  }

  // ---- network faults ----------------------------------------------------------

  async cut(pairs: Array<[string, string]>, _mode: PartitionMode): Promise<string[]> {
    // Drop and reset are the same here: nothing crosses. (Real resets also fail the sender fast.)
    const names: string[] = [];
    for (const [a, b] of pairs) {
      const cutLinks = this.links.filter((l) => (l.from === a && l.to === b) || (l.from === b && l.to === a));
      if (cutLinks.length === 0) continue;
      this.net.cut(a, b);
      for (const l of cutLinks) {
        this.faulty.add(l.name);
        if (!names.includes(l.name)) names.push(l.name);
      }
    }
    return names;
  }

  async addLatency(links: NodeLink[], latencyMs: number, jitterMs: number): Promise<void> {
    // The proxy's latency toxic delays chunks of one connection in order: per-link FIFO keeps that.
    this.onBothWays(links, (a, b) => this.net.latency(a, b, Math.max(0, latencyMs - jitterMs), 2 * jitterMs));
  }

  async healNetwork(): Promise<void> {
    this.net.heal();
    this.applyBaseDelay();
    this.faulty.clear();
  }

  activeNetworkFaults(): string[] {
    return [...this.faulty];
  }

  // ---- process faults -----------------------------------------------------------

  async kill(id: string): Promise<void> {
    this.net.crash(id);
    this.killed.add(id);
    // A dead process's sockets are gone: what was in flight to or from it is lost, and its clients see the connection drop.
    for (let i = this.net.queue.length - 1; i >= 0; i--) {
      const m = this.net.queue[i];
      if (m.to === id || m.from === id) this.net.queue.splice(i, 1);
    }
    for (const conn of this.connections.values()) if (conn.node === id) conn.lose('connection reset by peer');
  }

  async restart(id: string): Promise<void> {
    if (!this.killed.has(id)) return;
    this.killed.delete(id);
    this.net.restart(id);
  }

  async pause(id: string): Promise<void> {
    this.net.pause(id);
  }

  async resume(id: string): Promise<void> {
    this.net.resume(id);
  }

  // ---- clients -----------------------------------------------------------------

  async primary(): Promise<string | null> {
    const p = this.def.primary;
    if (!p) return null;
    if ('static' in p) return p.static;
    const out = await this.ask(p.ask, { type: 'primary' }, 2000);
    if (out.kind !== 'reply' || out.body.type !== 'primary_ok') return null;
    const primary = out.body.primary;
    return typeof primary === 'string' && this.nodeIds().includes(primary) ? primary : null;
  }

  async ask(node: string, body: Record<string, unknown>, timeoutMs: number): Promise<Outcome> {
    const conn = this.open(node);
    if (conn === null) return { kind: 'closed', sent: false, reason: 'ECONNREFUSED' };
    try {
      return await conn.request(body, timeoutMs);
    } finally {
      conn.close();
    }
  }

  async connect(node: string, _timeoutMs: number): Promise<ClientConnection | { error: string }> {
    const conn = this.open(node);
    if (conn === null) return { error: 'ECONNREFUSED' };
    return {
      invoke: async (op: RegisterOp, timeoutMs: number) => classify(op, await conn.request(requestBody(op), timeoutMs)),
      get closed() {
        return conn.closed;
      },
      close: () => conn.close(),
    };
  }

  /** A connection to a live node (a dead one refuses), as a fresh endpoint of the network. */
  private open(node: string): SimConnection | null {
    if (this.killed.has(node)) return null;
    const endpoint = `client:${this.nextEndpoint++}`;
    const conn = new SimConnection(this, endpoint, node, () => this.connections.delete(endpoint));
    this.connections.set(endpoint, conn);
    return conn;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const conn of [...this.connections.values()]) conn.close();
    for (const [signal, s] of this.sleepers) signal.removeEventListener('abort', s.onAbort);
    this.sleepers.clear();
    await this.pumping?.catch(() => undefined);
    if (this.pumpError) throw this.pumpError;
  }
}

/** One client connection: requests by msg_id, replies matched by in_reply_to, timeouts on the virtual clock. */
class SimConnection {
  private nextId = 1;
  /** Requests awaiting a reply, by msg_id (see IdTable: a Map emptied and refilled per request reallocated each time). */
  private readonly pending = new IdTable<(o: Outcome) => void>();
  private closedReason: string | null = null;

  constructor(
    private readonly cluster: SimCluster,
    readonly endpoint: string,
    readonly node: string,
    private readonly onClose: () => void,
  ) {
    cluster.net.attach(endpoint, (_from, body) => this.receive(body));
  }

  get closed(): boolean {
    return this.closedReason !== null;
  }

  request(body: Record<string, unknown>, timeoutMs: number): Promise<Outcome> {
    if (this.closedReason !== null) return Promise.resolve({ kind: 'closed', sent: false, reason: this.closedReason });
    const msgId = this.nextId++;
    const net = this.cluster.net;
    return new Promise((resolve) => {
      const timer = net.schedule(timeoutMs, () => {
        this.pending.delete(msgId);
        this.cluster.wake();
        resolve({ kind: 'timeout' });
      });
      this.pending.add(msgId, (o) => {
        net.unschedule(timer);
        this.cluster.wake();
        resolve(o);
      });
      // `{ ...body, type: String(body.type), msg_id: msgId }`, built as Rpc.call builds its messages (see there).
      const message = Object.assign({}, body) as Body;
      message.type = String(body.type);
      message.msg_id = msgId;
      net.send(this.endpoint, this.node, message);
    });
  }

  private receive(body: Body): void {
    const id = body.in_reply_to;
    if (typeof id !== 'number') return;
    const settle = this.pending.get(id);
    if (settle === undefined) return;
    this.pending.delete(id);
    settle({ kind: 'reply', body: body as { type: string } });
  }

  /** The node's end went away (crash): every request in flight may or may not have happened. */
  lose(reason: string): void {
    if (this.closedReason !== null) return;
    this.closedReason = reason;
    for (const settle of this.pending.entries()) settle({ kind: 'closed', sent: true, reason });
    this.pending.clear();
    this.cluster.net.detach(this.endpoint);
    this.onClose();
  }

  close(): void {
    if (this.closedReason !== null) return;
    this.closedReason = 'closed by client';
    for (const settle of this.pending.entries()) settle({ kind: 'closed', sent: true, reason: 'closed by client' });
    this.pending.clear();
    this.cluster.net.detach(this.endpoint);
    this.onClose();
  }
}
