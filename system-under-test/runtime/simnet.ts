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
  /** Its loss draw, when drawn at sending (independentStreams under faults). */
  lose?: number;
  /** Its link's name, `from->to` (so delivery builds no string). */
  link?: string;
}

/** What the network keeps per link (from -> to), made once: its name, the name's hash, its FIFO due time, its stream. */
interface Link {
  name: string;
  /** hashString(0x811c9dc5 ^ seed, name): where a message's content hash starts. */
  seedHash: number;
  /** The due time of the last message sent on it (fifoLinks). */
  lastDue: number;
  /** Its own random stream (independentStreams), made when first needed. */
  random: (() => number) | null;
  /** The faults on it (latency, reorder spread, duplication) as of `faultsAt`, the network's fault epoch. */
  faultsAt: number;
  latency: { ms: number; jitter: number } | undefined;
  spread: number | undefined;
  duplicate: number | undefined;
}

/** A 32-bit FNV-1a hash of the seed and a name: the seed of a named stream. */
export function streamSeed(seed: number, name: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * FNV-1a over a string's UTF-16 units, continuing from `h`. The message
 * hashes below keep FNV's 32 bits as a signed int32 (Math.imul's result):
 * the same bits as the unsigned hash, but a number a function can return
 * without boxing it (an unsigned value past 2^31 is a heap number).
 */
function hashString(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}

/** Digits of an integer being hashed, least significant first (reused: nothing allocated per number). */
const digits = new Uint8Array(16);

/** FNV-1a over `String(v)` for a number, continuing from `h`, without building the string for a safe integer. */
function hashNumber(h: number, v: number): number {
  if (!Number.isSafeInteger(v)) return hashString(h, String(v));
  // String(-0) is '0'; a negative integer is '-' and its digits.
  if (v < 0) {
    h = Math.imul(h ^ 0x2d, 0x01000193);
    v = -v;
  }
  let n = 0;
  do {
    const d = v % 10;
    digits[n++] = d;
    v = (v - d) / 10;
  } while (v > 0);
  while (n > 0) h = Math.imul(h ^ (0x30 + digits[--n]), 0x01000193);
  return h;
}

/**
 * A structural hash of a JSON value (no string built), continuing from `h`;
 * at the top level of a message body its wire ids are left out, so a message
 * hashes the same whatever its sender's request counter was.
 */
function hashValue(h: number, v: unknown, top = false): number {
  if (v === null || v === undefined) return Math.imul(h ^ 0x6e, 0x01000193);
  switch (typeof v) {
    case 'string':
      return hashString(Math.imul(h ^ 0x73, 0x01000193), v);
    case 'number':
      return hashNumber(Math.imul(h ^ 0x6e, 0x01000193), v);
    case 'boolean':
      return hashString(Math.imul(h ^ 0x6e, 0x01000193), v ? 'true' : 'false');
    case 'object': {
      if (Array.isArray(v)) {
        h = Math.imul(h ^ 0x5b, 0x01000193);
        for (let i = 0; i < v.length; i++) h = hashValue(h, v[i]);
        return h;
      }
      h = Math.imul(h ^ 0x7b, 0x01000193);
      for (const k in v as Record<string, unknown>) {
        if (top && (k === 'msg_id' || k === 'in_reply_to')) continue;
        h = hashValue(hashString(h, k), (v as Record<string, unknown>)[k]);
      }
      return h;
    }
    default:
      return h;
  }
}

/** The hash hashCopy computed last (a second result without allocating a pair). */
let copiedHash = 0;

/**
 * copyJson and hashValue in one walk of an object or array: returns the
 * copy, leaves hashValue(h, v, top) in copiedHash. Strings and numbers,
 * most of a message, are hashed in place rather than through hashValue.
 */
function hashCopy<T extends object>(h: number, v: T, top = false): T {
  if (Array.isArray(v)) {
    h = Math.imul(h ^ 0x5b, 0x01000193);
    const out: unknown[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      if (typeof x === 'object' && x !== null) {
        out[i] = hashCopy(h, x);
        h = copiedHash;
      } else {
        out[i] = x;
        h = hashValue(h, x);
      }
    }
    copiedHash = h;
    return out as T;
  }
  h = Math.imul(h ^ 0x7b, 0x01000193);
  const out: Record<string, unknown> = {};
  for (const k in v) {
    const x: unknown = (v as Record<string, unknown>)[k];
    if (top && (k === 'msg_id' || k === 'in_reply_to')) {
      if (x !== undefined && typeof x !== 'function') out[k] = copyJson(x);
      continue;
    }
    h = hashString(h, k);
    if (typeof x === 'string') {
      h = hashString(Math.imul(h ^ 0x73, 0x01000193), x);
      out[k] = x;
    } else if (typeof x === 'number') {
      h = hashNumber(Math.imul(h ^ 0x6e, 0x01000193), x);
      out[k] = x;
    } else if (typeof x === 'object' && x !== null) {
      out[k] = hashCopy(h, x);
      h = copiedHash;
    } else {
      h = hashValue(h, x);
      if (x !== undefined && typeof x !== 'function') out[k] = x;
    }
  }
  copiedHash = h;
  return out as T;
}

/**
 * How many times each 32-bit key was counted: open addressing over typed
 * arrays (a Map of tens of thousands of entries per run cost more, and
 * allocated as it grew).
 */
class CountTable {
  private keys = new Int32Array(1024);
  /** 0: an empty slot. */
  private counts = new Uint32Array(1024);
  private size = 0;
  /** 32 - log2(capacity): a slot is the top bits of the key's Fibonacci hash. */
  private shift = 22;

  /** Adds one to `key`'s count and returns the new count. */
  increment(key: number): number {
    if (2 * (this.size + 1) > this.keys.length) this.grow();
    const mask = this.keys.length - 1;
    for (let i = Math.imul(key, 0x9e3779b1) >>> this.shift; ; i = (i + 1) & mask) {
      const c = this.counts[i];
      if (c === 0) {
        this.keys[i] = key;
        this.counts[i] = 1;
        this.size++;
        return 1;
      }
      if (this.keys[i] === key) return (this.counts[i] = c + 1);
    }
  }

  private grow(): void {
    const keys = this.keys;
    const counts = this.counts;
    this.keys = new Int32Array(keys.length * 2);
    this.counts = new Uint32Array(keys.length * 2);
    this.shift--;
    const mask = this.keys.length - 1;
    for (let j = 0; j < keys.length; j++) {
      if (counts[j] === 0) continue;
      let i = Math.imul(keys[j], 0x9e3779b1) >>> this.shift;
      while (this.counts[i] !== 0) i = (i + 1) & mask;
      this.keys[i] = keys[j];
      this.counts[i] = counts[j];
    }
  }
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
  /** Bumped by a crash or restart: the timers of earlier epochs are lost. */
  epoch: number;
  /** Timers that came due while the node was paused: they fire after resume. */
  parked: Timer[];
  incarnation: number;
  disk: MemoryStorage;
}

/** A timer, as its owner's map holds it and as the time-ordered heap does; stale once the map no longer holds it. */
interface Timer {
  at: number;
  seq: number;
  fn: () => void;
  id: TimerId;
  /** null: a timer of the world outside the nodes. */
  owner: SimNode | null;
  /** The owner's epoch when the timer was set. */
  epoch: number;
  /** Whether the network's map of timers holds it (what a lookup there would say, without the lookup). */
  held: boolean;
}

/**
 * Every held timer by id. Ids are handed out one by one (1, 2, 3, ...: every
 * setTimer and schedule takes one, held or not), so a timer's slot is its id
 * less the id of slot 0, in an array from the oldest held id to the newest:
 * a lookup is an index, and nothing is allocated per timer (a Map that eight
 * thousand timers a run pass through grew, shrank and rehashed all along).
 * The array spans the ids handed out since the oldest timer still held (a
 * few seconds of a run's), and moves down once its empty front dominates.
 * (idTable.ts's IdTable compacts instead, for entries that may be held long;
 * for timers it was no faster than a Map.)
 */
class TimerTable {
  /** The timers of ids [base + head, base + end); undefined: not held. Its length only grows. */
  private readonly slots: (Timer | undefined)[] = [];
  private base = 0;
  /** Every slot before it is empty. */
  private head = 0;
  private end = 0;

  set(timer: Timer): void {
    const i = timer.id - this.base;
    if (i < this.end) throw new Error(`TimerTable: id ${timer.id} held after a later one`);
    const slots = this.slots;
    // The ids skipped (timers never held) are empty slots.
    for (let j = this.end; j < i; j++) {
      if (j < slots.length) slots[j] = undefined;
      else slots.push(undefined);
    }
    if (i < slots.length) slots[i] = timer;
    else slots.push(timer);
    this.end = i + 1;
  }

  get(id: number): Timer | undefined {
    const i = id - this.base;
    return i >= this.head && i < this.end ? this.slots[i] : undefined;
  }

  delete(id: number): void {
    const i = id - this.base;
    if (i < this.head || i >= this.end) return;
    const slots = this.slots;
    slots[i] = undefined;
    if (i !== this.head) return;
    let head = this.head + 1;
    while (head < this.end && slots[head] === undefined) head++;
    if (head === this.end) {
      // Empty: start again at the front.
      this.base += head;
      this.head = this.end = 0;
    } else if (head > 1024 && 2 * head > this.end) {
      // A long-held timer at the front: move the window's live part down.
      const n = this.end - head;
      slots.copyWithin(0, head, this.end);
      slots.fill(undefined, n, this.end);
      this.base += head;
      this.head = 0;
      this.end = n;
    } else this.head = head;
  }
}

/** A binary min-heap of timers by (at, seq): every event in time order at O(log n). */
class TimerHeap {
  private items: Timer[] = [];
  get size(): number {
    return this.items.length;
  }
  // Sifting moves a hole, not swapped pairs (a destructuring swap allocates an array).
  push(e: Timer): void {
    const a = this.items;
    let i = a.length;
    a.push(e);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(e, a[p])) break;
      a[i] = a[p];
      i = p;
    }
    a[i] = e;
  }
  peek(): Timer | undefined {
    return this.items[0];
  }
  pop(): Timer | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) this.siftDown(0, last);
    return top;
  }
  /** Puts `e` at the hole `i` or below it. */
  private siftDown(i: number, e: Timer): void {
    const a = this.items;
    const n = a.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = -1;
      let min = e;
      if (l < n && before(a[l], min)) {
        m = l;
        min = a[l];
      }
      if (r < n && before(a[r], min)) {
        m = r;
        min = a[r];
      }
      if (m < 0) break;
      a[i] = min;
      i = m;
    }
    a[i] = e;
  }
  /**
   * Drops the entries `keep` refuses (stale timers) and rebuilds the heap. The
   * order timers come out in is (at, seq), a total order, so it is the same
   * whatever the heap's layout.
   */
  compact(keep: (e: Timer) => boolean): void {
    this.items = this.items.filter(keep);
    for (let i = (this.items.length >> 1) - 1; i >= 0; i--) this.siftDown(i, this.items[i]);
  }
}

function noop(): void {}

function before(x: Timer, y: Timer): boolean {
  return x.at < y.at || (x.at === y.at && x.seq < y.seq);
}

/**
 * Copies a message body as the wire would: JSON values only (a real host
 * sends JSON), so neither side can change the other's copy afterwards.
 */
function copyJson<T>(v: T): T {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return v.map(copyJson) as T;
  const out: Record<string, unknown> = {};
  for (const k in v) {
    const x = (v as Record<string, unknown>)[k];
    if (x !== undefined && typeof x !== 'function') out[k] = copyJson(x);
  }
  return out as T;
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
  /**
   * Latency never reorders the messages of one link (from -> to), as on a
   * TCP connection: a message is due no earlier than the one sent before it
   * on the same link. Messages of different links still overtake each other.
   */
  fifoLinks?: boolean;
  /**
   * Each node (per incarnation) and each link draws from its own seeded
   * stream instead of the network's one. Then removing an operation from a
   * schedule changes the random draws only of the links and nodes it used,
   * not of everything after it, which is what makes a failing run shrinkable.
   */
  independentStreams?: boolean;
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
  /**
   * Every timer not cancelled or fired, by id: the nodes' and the outside
   * world's (a simulated harness: owner null, never paused, never crashed), in one table
   * for all (a node's own map shrank and grew as its few timers came and
   * went, reallocating each time). A node's timer is live while here and of
   * the node's current epoch.
   */
  private readonly timers = new TimerTable();
  /** Every timer, nodes' and external, in firing order. */
  private readonly heap = new TimerHeap();
  /** Receivers of messages addressed to endpoints that are not nodes (simulated clients). */
  private readonly attached = new Map<string, (from: string, body: Body) => void>();
  /** Per link (from, then to), its state. */
  private readonly links = new Map<string, Map<string, Link>>();
  /** Per link: deliver each message twice with this probability. */
  private readonly duplicates = new Map<string, number>();
  /** Per link: each message is due at a random time within this many ms, in any order. */
  private readonly reorders = new Map<string, number>();
  /** Per (link, message content) hash, how many such messages were sent (independentStreams). */
  private readonly contentCount = new CountTable();
  /** The one generator message draws reuse (independentStreams): reseeded per message, nothing allocated. */
  private messageState = 0;
  private readonly messageDraw = (): number => {
    this.messageState = (this.messageState + 0x6d2b79f5) >>> 0;
    let t = this.messageState;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  private nextTimer = 1;
  private timerSeq = 0;
  /** Bumped by every change of latency, reorder or duplication: a link's cached faults are stale once behind it. */
  private faultEpoch = 0;
  /** Roughly how many heap entries are stale (cancelled, or lost in a crash): the heap is compacted when they dominate. */
  private staleTimers = 0;

  constructor(private readonly options: SimOptions) {
    this.random = seededRandom(options.seed);
  }

  add(id: string, peers: string[], factory: NodeFactory): void {
    const sim: SimNode = { id, peers, factory, node: null, epoch: 0, parked: [], incarnation: 0, disk: new MemoryStorage() };
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
        if (live()) {
          const timer: Timer = { at: this.now + Math.max(0, ms), seq: this.timerSeq++, fn, id, owner: sim, epoch: sim.epoch, held: false };
          this.hold(timer);
          this.pushTimer(timer);
        }
        return id;
      },
      cancelTimer: (id) => {
        const timer = this.timers.get(id);
        if (timer?.owner === sim) this.cancel(timer);
      },
      random: this.options.independentStreams ? seededRandom(streamSeed(this.options.seed, `node ${sim.id} ${incarnation}`)) : this.random,
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

  private link(from: string, to: string): Link {
    let row = this.links.get(from);
    if (row === undefined) {
      row = new Map();
      this.links.set(from, row);
    }
    let link = row.get(to);
    if (link === undefined) {
      const name = `${from}->${to}`;
      link = { name, seedHash: hashString(0x811c9dc5 ^ this.options.seed, name), lastDue: 0, random: null, faultsAt: -1, latency: undefined, spread: undefined, duplicate: undefined };
      row.set(to, link);
    }
    return link;
  }

  /** The random stream of a link's delays, losses and duplicates. */
  private randomOf(link: Link): () => number {
    if (!this.options.independentStreams) return this.random;
    return (link.random ??= seededRandom(streamSeed(this.options.seed, `link ${link.name}`)));
  }

  /**
   * With independent streams, a message's draws come from its own content
   * (its ids left out) and how many such messages its link carried before:
   * the same logical message meets the same delay, loss or duplication
   * whatever else the schedule did, so shrinking keeps the race it found.
   */
  private messageRandom(h: number): () => number {
    const n = this.contentCount.increment(h | 0);
    this.messageState = Math.imul(h ^ n, 0x9e3779b1) >>> 0;
    return this.messageDraw;
  }

  private enqueue(from: string, to: string, body: Body): void {
    const link = this.link(from, to);
    const name = link.name;
    const independent = this.options.independentStreams === true;
    // The copy the receiver gets (as the wire would), hashed on the way when the draws need it.
    const copy = independent ? hashCopy(link.seedHash, body, true) : copyJson(body);
    const random = independent ? this.messageRandom(copiedHash) : this.randomOf(link);
    if (link.faultsAt !== this.faultEpoch) {
      link.faultsAt = this.faultEpoch;
      link.latency = this.latencies.size === 0 ? undefined : (this.latencies.get(name) ?? this.latencies.get('*'));
      link.spread = this.reorders.size === 0 ? undefined : this.reorders.get(name);
      link.duplicate = this.duplicates.size === 0 ? undefined : this.duplicates.get(name);
    }
    const lat = link.latency;
    let at = lat === undefined ? this.now : this.now + lat.ms + Math.floor(random() * (lat.jitter + 1));
    const spread = link.spread;
    if (spread !== undefined) at = this.now + random() * spread;
    else if (this.options.fifoLinks) {
      at = Math.max(at, link.lastDue);
      link.lastDue = at;
    }
    this.queue.push({ from, to, body: copy, at, lose: independent ? random() : undefined, link: name });
    const dup = link.duplicate;
    if (dup !== undefined && random() < dup) {
      this.queue.push({ from, to, body: copyJson(body), at: at + random() * (spread ?? 10), lose: undefined, link: name });
    }
  }

  /** Runs `fn` after `ms` of virtual time, outside any node (for a simulated harness). */
  schedule(ms: number, fn: () => void): TimerId {
    const id = this.nextTimer++;
    const timer: Timer = { at: this.now + Math.max(0, ms), seq: this.timerSeq++, fn, id, owner: null, epoch: 0, held: false };
    this.hold(timer);
    this.pushTimer(timer);
    return id;
  }

  unschedule(id: TimerId): void {
    const timer = this.timers.get(id);
    if (timer?.owner === null) this.cancel(timer);
  }

  /**
   * A cancelled timer stays in the heap until it comes due or a compaction
   * sweeps it out; what it would have run (an RPC's closure, and all it
   * holds) is let go now, so it does not outlive the cancel.
   */
  private cancel(timer: Timer): void {
    this.release(timer);
    timer.fn = noop;
    this.staleTimers++;
  }

  private hold(timer: Timer): void {
    this.timers.set(timer);
    timer.held = true;
  }

  private release(timer: Timer): void {
    this.timers.delete(timer.id);
    timer.held = false;
  }

  private isLive(e: Timer): boolean {
    return e.held && (e.owner === null || e.epoch === e.owner.epoch);
  }

  private pushTimer(timer: Timer): void {
    // Cancelled timers stay in the heap until they come due (an RPC's timeout, mostly): past
    // a point, sifting through them costs more than sweeping them out.
    if (this.staleTimers > 256 && this.staleTimers > this.heap.size >> 1) {
      this.heap.compact((e) => {
        if (this.isLive(e)) return true;
        if (e.held) this.release(e);
        return false;
      });
      this.staleTimers = 0;
    }
    this.heap.push(timer);
  }

  /** Messages to `endpoint` (not a node) go to `receive` as they are delivered, instead of the outbox. */
  attach(endpoint: string, receive: (from: string, body: Body) => void): void {
    this.attached.set(endpoint, receive);
  }

  detach(endpoint: string): void {
    this.attached.delete(endpoint);
  }

  /** The earliest virtual time at which a timer fires or a message can be delivered; Infinity if none. */
  nextEventAt(): number {
    let t = this.nextTimer_()?.at ?? Infinity;
    const queue = this.queue;
    for (let i = 0; i < queue.length; i++) {
      const m = queue[i];
      if (m.at < t && !this.isPaused(m.to)) t = m.at;
    }
    return Math.max(t, this.now);
  }

  /**
   * The next timer that can fire, without removing it. Stale entries
   * (cancelled, lost in a crash) are dropped; entries of paused nodes are
   * parked until the node resumes.
   */
  private nextTimer_(): Timer | undefined {
    for (;;) {
      const e = this.heap.peek();
      if (e === undefined) return undefined;
      const live = this.isLive(e);
      if (live && (e.owner === null || !this.isPaused(e.owner.id))) return e;
      this.heap.pop();
      if (live) e.owner!.parked.push(e);
      else {
        // Lost in a crash: still in the map.
        if (e.held) this.release(e);
        if (this.staleTimers > 0) this.staleTimers--;
      }
    }
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
    this.faultEpoch++;
    if (ms === 0 && jitter === 0) this.latencies.delete(key);
    else this.latencies.set(key, { ms, jitter });
  }
  /** Each message from -> to is delivered twice (the copy a little later) with probability p; 0 removes it. */
  duplicate(from: string, to: string, p: number): void {
    this.faultEpoch++;
    if (p === 0) this.duplicates.delete(`${from}->${to}`);
    else this.duplicates.set(`${from}->${to}`, p);
  }
  /** Messages from -> to are each due at a random time within `spreadMs`, in no particular order. */
  reorder(from: string, to: string, spreadMs: number): void {
    this.faultEpoch++;
    this.reorders.set(`${from}->${to}`, spreadMs);
  }
  heal(): void {
    this.faultEpoch++;
    this.dropRates.clear();
    this.latencies.clear();
    this.duplicates.clear();
    this.reorders.clear();
  }
  /** Kill a node: it loses its timers, its messages in flight to it are dropped on delivery. */
  crash(id: string): void {
    const sim = this.mustGet(id);
    sim.node = null;
    sim.epoch++;
  }
  /**
   * Start a crashed (or running) node afresh: a new incarnation with empty
   * memory and the disk it had (or an empty one, with `freshDisk`).
   */
  restart(id: string, options: { freshDisk?: boolean } = {}): void {
    const sim = this.mustGet(id);
    sim.epoch++;
    for (const e of sim.parked) if (e.held) this.release(e);
    sim.parked.length = 0;
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
    const sim = this.nodes.get(id);
    if (sim !== undefined) for (const e of sim.parked.splice(0)) this.heap.push(e);
  }

  // --- stepping -----------------------------------------------------------
  /** Is the node paused? (Asked per queued message per step: almost always of a network with none paused.) */
  private isPaused(id: string): boolean {
    return this.paused.size !== 0 && this.paused.has(id);
  }

  private ready(m: Message): boolean {
    return m.at <= this.now && !this.isPaused(m.to);
  }

  /** Delivers one due message (FIFO, or random with `reorder`); false if none can be. */
  deliver(): boolean {
    if (!this.options.reorder) {
      for (let i = 0; i < this.queue.length; i++) if (this.ready(this.queue[i])) return this.deliverAt(i);
      return false;
    }
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
    const m = i === 0 ? this.queue.shift()! : this.queue.splice(i, 1)[0];
    const p = this.dropRates.size === 0 ? 0 : (this.dropRates.get(m.link ?? `${m.from}->${m.to}`) ?? 0);
    if (p > 0 && (m.lose ?? this.randomOf(this.link(m.from, m.to))()) < p) return true;
    if (this.hook !== null && !this.hook(m)) return true;
    const target = this.nodes.get(m.to);
    const receive = target === undefined ? this.attached.get(m.to) : undefined;
    if (receive !== undefined) receive(m.from, m.body);
    else if (target === undefined) {
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
      // The next timer, a node's or the outside world's, in (time, creation) order.
      const next = this.nextTimer_();
      const nextAt = next !== undefined && next.at <= target ? next.at : Infinity;
      // A delayed message due before the next timer is an event of its own.
      let messageAt = Infinity;
      const queue = this.queue;
      for (let i = 0; i < queue.length; i++) {
        const m = queue[i];
        if (m.at > this.now && m.at <= target && m.at < messageAt && !this.isPaused(m.to)) messageAt = m.at;
      }
      if (messageAt < nextAt) {
        this.now = messageAt;
        this.settle();
        continue;
      }
      if (next === undefined || nextAt === Infinity) break;
      this.heap.pop();
      this.release(next);
      this.now = Math.max(this.now, nextAt);
      next.fn();
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
