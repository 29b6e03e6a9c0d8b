// An in-memory network for tests (and, later, a deterministic simulator), in
// the style of etcd raft's test `network`: nodes are plain handlers behind Env,
// messages wait in one queue until the test delivers them (`deliver`,
// `stabilize`), time is a virtual clock moved by `advance`, and faults are
// `drop`, `cut`, `isolate`, `heal`, `crash`/`restart` and a message hook.
// Each node has a disk (`Env.storage`, a MemoryStorage) that survives crash
// and restart; `restart(id, { freshDisk: true })` starts it on an empty one.
// Every random choice comes from one seeded PRNG, so a seed replays a run.
import type { Body, Env, Node, NodeFactory, TimerId } from './env.ts';
import { MemoryStorage } from './storage.ts';

export interface Message {
  from: string;
  to: string;
  body: Body;
  /** Virtual time before which the message cannot be delivered (latency). */
  at: number;
}

/** mulberry32: small, fast, good enough for schedules. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface SimNode {
  id: string;
  peers: string[];
  factory: NodeFactory;
  node: Node | null;
  timers: Map<TimerId, { at: number; seq: number; fn: () => void }>;
  incarnation: number;
  disk: MemoryStorage;
}

export interface SimOptions {
  seed: number;
  /** Deliver queued messages in random order instead of FIFO. */
  reorder?: boolean;
  /** Print node logs (default: kept in `logs`). */
  verbose?: boolean;
  /**
   * While `advance` settles the network between timer events, each message
   * stays queued with this probability until the next event: latency that
   * crosses timer boundaries. Default 0.
   */
  linger?: number;
}

export class SimNetwork {
  now = 0;
  readonly random: () => number;
  readonly queue: Message[] = [];
  /** Messages addressed to endpoints that are not nodes (test clients), by endpoint. */
  readonly outbox = new Map<string, Body[]>();
  readonly logs: string[] = [];
  /** Return false to drop a message (raft's msgHook). */
  hook: ((m: Message) => boolean) | null = null;
  private readonly nodes = new Map<string, SimNode>();
  private readonly dropRates = new Map<string, number>();
  private readonly paused = new Set<string>();
  private readonly latencies = new Map<string, { ms: number; jitter: number }>();
  private nextTimer = 1;
  private timerSeq = 0;

  constructor(private readonly options: SimOptions) {
    this.random = seededRandom(options.seed);
  }

  add(id: string, peers: string[], factory: NodeFactory): void {
    const sim: SimNode = { id, peers, factory, node: null, timers: new Map(), incarnation: 0, disk: new MemoryStorage() };
    this.nodes.set(id, sim);
    this.start(sim);
  }

  private start(sim: SimNode): void {
    sim.incarnation++;
    const incarnation = sim.incarnation;
    const live = () => sim.node !== null && sim.incarnation === incarnation;
    const env: Env = {
      id: sim.id,
      peers: sim.peers,
      send: (to, body) => {
        if (live()) this.enqueue(sim.id, to, body);
      },
      now: () => this.now,
      setTimer: (ms, fn) => {
        const id = this.nextTimer++;
        if (live()) sim.timers.set(id, { at: this.now + Math.max(0, ms), seq: this.timerSeq++, fn });
        return id;
      },
      cancelTimer: (id) => {
        sim.timers.delete(id);
      },
      random: this.random,
      storage: sim.disk,
      log: (m) => {
        const line = `${this.now.toFixed(0).padStart(6)}ms [${sim.id}] ${m}`;
        this.logs.push(line);
        if (this.options.verbose) process.stderr.write(line + '\n');
      },
    };
    sim.node = { receive: () => {} };
    sim.node = sim.factory(env);
  }

  node<T extends Node = Node>(id: string): T {
    const sim = this.nodes.get(id);
    if (sim?.node == null) throw new Error(`no live node ${id}`);
    return sim.node as T;
  }

  /** Injects a message, e.g. from a test client. */
  send(from: string, to: string, body: Body): void {
    this.enqueue(from, to, body);
  }

  private enqueue(from: string, to: string, body: Body): void {
    const lat = this.latencies.get(`${from}->${to}`) ?? this.latencies.get('*');
    const at = lat === undefined ? this.now : this.now + lat.ms + Math.floor(this.random() * (lat.jitter + 1));
    this.queue.push({ from, to, body: structuredClone(body), at });
  }

  /** Messages received so far by a non-node endpoint; `take` empties them. */
  take(endpoint: string): Body[] {
    const got = this.outbox.get(endpoint) ?? [];
    this.outbox.set(endpoint, []);
    return got;
  }

  // --- faults -------------------------------------------------------------
  /** Drop messages from -> to with probability p (1 = always). */
  drop(from: string, to: string, p: number): void {
    this.dropRates.set(`${from}->${to}`, p);
  }
  /** Cut both directions between a and b. */
  cut(a: string, b: string): void {
    this.drop(a, b, 1);
    this.drop(b, a, 1);
  }
  /** Cut a from every other endpoint it may talk to, clients included. */
  isolate(a: string, others: string[] = [...this.nodes.keys()]): void {
    for (const b of others) if (b !== a) this.cut(a, b);
  }
  /** Delays messages from -> to (or every message, with from = '*') by ms plus up to jitter; 0 removes it. */
  latency(from: string, to: string, ms: number, jitter = 0): void {
    const key = from === '*' ? '*' : `${from}->${to}`;
    if (ms === 0 && jitter === 0) this.latencies.delete(key);
    else this.latencies.set(key, { ms, jitter });
  }
  heal(): void {
    this.dropRates.clear();
    this.latencies.clear();
  }
  /** Kill a node: it loses its timers, its messages in flight to it are dropped on delivery. */
  crash(id: string): void {
    const sim = this.mustGet(id);
    sim.node = null;
    sim.timers.clear();
  }
  /**
   * Start a crashed (or running) node afresh: a new incarnation with empty
   * memory and the disk it had (or an empty one, with `freshDisk`).
   */
  restart(id: string, options: { freshDisk?: boolean } = {}): void {
    const sim = this.mustGet(id);
    sim.timers.clear();
    if (options.freshDisk) sim.disk = new MemoryStorage();
    this.paused.delete(id);
    this.start(sim);
  }

  /** SIGSTOP: the node runs nothing; messages to it wait in the queue, its timers fire late. */
  pause(id: string): void {
    this.mustGet(id);
    this.paused.add(id);
  }
  resume(id: string): void {
    this.paused.delete(id);
  }

  // --- stepping -----------------------------------------------------------
  private ready(m: Message): boolean {
    return m.at <= this.now && !this.paused.has(m.to);
  }

  /** Delivers one due message (FIFO, or random with `reorder`); false if none can be. */
  deliver(): boolean {
    const candidates: number[] = [];
    for (let i = 0; i < this.queue.length; i++) {
      if (this.ready(this.queue[i])) {
        candidates.push(i);
        if (!this.options.reorder) break;
      }
    }
    if (candidates.length === 0) return false;
    const pick = this.options.reorder ? Math.floor(this.random() * candidates.length) : 0;
    return this.deliverAt(candidates[pick]);
  }

  private deliverAt(i: number): boolean {
    const [m] = this.queue.splice(i, 1);
    const p = this.dropRates.get(`${m.from}->${m.to}`) ?? 0;
    if (p > 0 && this.random() < p) return true;
    if (this.hook !== null && !this.hook(m)) return true;
    const target = this.nodes.get(m.to);
    if (target === undefined) {
      const box = this.outbox.get(m.to) ?? [];
      box.push(m.body);
      this.outbox.set(m.to, box);
    } else target.node?.receive(m.from, m.body);
    return true;
  }

  /** Delivers the first queued message matching `pred` (ignoring `reorder`); false if none. */
  deliverWhere(pred: (m: Message) => boolean): boolean {
    const i = this.queue.findIndex(pred);
    return i >= 0 && this.deliverAt(i);
  }

  /** Delivers until the queue is empty. */
  stabilize(limit = 1_000_000): void {
    for (let n = 0; this.deliver(); n++) {
      if (n >= limit) throw new Error(`stabilize: still busy after ${limit} messages`);
    }
  }

  /** Like stabilize, but with `linger` some messages stay queued for a later round. */
  private settle(): void {
    const linger = this.options.linger ?? 0;
    if (linger === 0) return this.stabilize();
    for (let round = 0; round < 10_000; round++) {
      const batch = this.queue.splice(0);
      let delivered = 0;
      for (const m of batch) {
        if (!this.ready(m) || this.random() < linger) this.queue.push(m);
        else {
          this.queue.unshift(m);
          this.deliverAt(0);
          delivered++;
        }
      }
      if (delivered === 0) return;
    }
  }

  /** Moves the clock forward by `ms`, firing due timers in order and settling the network after each. */
  advance(ms: number): void {
    const target = this.now + ms;
    this.settle();
    for (;;) {
      let next: { sim: SimNode; id: TimerId; at: number; seq: number } | null = null;
      for (const sim of this.nodes.values()) {
        if (this.paused.has(sim.id)) continue;
        for (const [id, t] of sim.timers) {
          if (t.at <= target && (next === null || t.at < next.at || (t.at === next.at && t.seq < next.seq))) {
            next = { sim, id, at: t.at, seq: t.seq };
          }
        }
      }
      // A delayed message due before the next timer is an event of its own.
      let messageAt = Infinity;
      for (const m of this.queue) if (m.at > this.now && m.at <= target && !this.paused.has(m.to)) messageAt = Math.min(messageAt, m.at);
      if (messageAt < (next?.at ?? Infinity)) {
        this.now = messageAt;
        this.settle();
        continue;
      }
      if (next === null) break;
      const timer = next.sim.timers.get(next.id)!;
      next.sim.timers.delete(next.id);
      this.now = Math.max(this.now, next.at);
      timer.fn();
      this.settle();
    }
    this.now = target;
  }

  /** A node's disk, for tests that look at what it persisted. */
  disk(id: string): MemoryStorage {
    return this.mustGet(id).disk;
  }

  /** Is the node running (not crashed)? */
  alive(id: string): boolean {
    return this.mustGet(id).node !== null;
  }

  private mustGet(id: string): SimNode {
    const sim = this.nodes.get(id);
    if (sim === undefined) throw new Error(`unknown node ${id}`);
    return sim;
  }
}
