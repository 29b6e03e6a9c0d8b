// A ToxicStub is one toxic's place in one direction of one connection: an
// input queue, an output target, an interrupt flag and per-connection state.
// Modelled on Toxiproxy's toxics/toxic.go, with Go channels replaced by a
// byte-bounded queue (backpressure) and promises.
//
// Contract for toxics (see toxics/definition.ts): `pipe(stub)` loops on
// `await stub.read()`. It returns as soon as read/sleep report an interrupt,
// and whatever data it was still holding it gives back with `stub.unread()`
// first, so that removing or updating a toxic never loses bytes. On
// end-of-stream (`null`) it calls `stub.close()`.
import type { Clock, Random } from './clock.ts';

export interface Chunk {
  data: Buffer;
  /** When the proxy read it from the socket (clock milliseconds). */
  timestamp: number;
}

/** Where a stub sends its output: the next stub's input, or the destination socket. */
export interface Target {
  /** Queues a chunk; false means "above the high-water mark, wait for drain". */
  write(chunk: Chunk): boolean;
  /** End of stream. */
  end(): void;
  /** Resolves when the target can take more (or will never need to). */
  whenDrained(): Promise<void>;
}

/** What a stub needs from its link. */
export interface StubHost {
  clock: Clock;
  random: Random;
  /** Tear the whole connection down with TCP RST (reset_peer). */
  reset(): void;
  /** A toxic threw: report it; the stub is closed afterwards. */
  fail(err: unknown): void;
}

export const INTERRUPTED: unique symbol = Symbol('interrupted');
export type ReadResult = Chunk | null | typeof INTERRUPTED;

/** The behaviour of one toxic instance (attributes already parsed). */
export interface ToxicImpl {
  pipe(stub: ToxicStub): Promise<void>;
  /** Called when the toxic is removed from a live stub (Toxiproxy's CleanupToxic). */
  cleanup?(stub: ToxicStub): void;
}

/** What the stub runs: the toxic and how often it applies. */
export interface RunnableToxic {
  impl: ToxicImpl;
  toxicity: number;
}

const HIGH_WATER = 1 << 20;

/** What runs when a toxic loses its toxicity roll (Toxiproxy runs a NoopToxic). */
const passThrough: ToxicImpl = {
  async pipe(stub) {
    for (;;) {
      const c = await stub.read();
      if (c === INTERRUPTED) return;
      if (c === null) {
        stub.close();
        return;
      }
      await stub.send(c);
    }
  },
};

export class ToxicStub implements Target {
  output: Target;
  /** Per-connection state of a stateful toxic (limit_data), kept across updates. */
  state: unknown = undefined;
  closed = false;

  private queue: (Chunk | null)[] = [];
  private head = 0;
  private queuedBytes = 0;
  private reader: ((r: ReadResult) => void) | null = null;
  private drainWaiters: (() => void)[] = [];
  private interruptRequested = false;
  private interruptListeners = new Set<() => void>();
  private running: Promise<void> | null = null;

  constructor(
    readonly host: StubHost,
    output: Target,
  ) {
    this.output = output;
  }

  get clock(): Clock {
    return this.host.clock;
  }

  random(): number {
    return this.host.random();
  }

  // ---- input side (Target) ----

  write(chunk: Chunk): boolean {
    if (this.closed) return true;
    this.queuedBytes += chunk.data.length;
    this.offer(chunk);
    return this.queuedBytes < HIGH_WATER;
  }

  end(): void {
    if (this.closed) return;
    this.offer(null);
  }

  whenDrained(): Promise<void> {
    if (this.closed || this.queuedBytes < HIGH_WATER) return Promise.resolve();
    return new Promise((r) => this.drainWaiters.push(r));
  }

  private offer(item: Chunk | null): void {
    const reader = this.reader;
    if (reader !== null && !this.interruptRequested && this.head === this.queue.length) {
      this.reader = null;
      if (item !== null) this.queuedBytes -= item.data.length;
      reader(item);
      return;
    }
    this.queue.push(item);
  }

  // ---- toxic side ----

  /** Next chunk, `null` at end of stream, or INTERRUPTED. */
  read(): Promise<ReadResult> | ReadResult {
    if (this.interruptRequested || this.closed) return INTERRUPTED;
    if (this.head < this.queue.length) return this.take();
    return new Promise((r) => {
      this.reader = r;
    });
  }

  private take(): Chunk | null {
    const item = this.queue[this.head++]!;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (item !== null) {
      this.queuedBytes -= item.data.length;
      if (this.queuedBytes < HIGH_WATER && this.drainWaiters.length > 0) this.wakeDrainWaiters();
    }
    return item;
  }

  /** Puts held data back at the front of the input, to be read again (or passed on if the toxic goes away). */
  unread(item: Chunk | null): void {
    if (this.closed) return;
    if (item !== null) this.queuedBytes += item.data.length;
    if (this.head > 0) this.queue[--this.head] = item;
    else this.queue.unshift(item);
  }

  /** Sends to the output, waiting while it is above its high-water mark. */
  send(chunk: Chunk): Promise<void> | void {
    if (this.closed) return;
    if (this.output.write(chunk)) return;
    // The chunk is already queued downstream; only wait for room, and stop
    // waiting on an interrupt so a blocked reader never blocks an API call.
    return new Promise((resolve) => {
      const done = () => {
        this.interruptListeners.delete(done);
        resolve();
      };
      this.interruptListeners.add(done);
      void this.output.whenDrained().then(done);
    });
  }

  /** Waits `ms`; resolves true when the time passed, false when interrupted first. */
  sleep(ms: number): Promise<boolean> {
    if (this.interruptRequested) return Promise.resolve(false);
    if (ms <= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const onInterrupt = () => {
        timer.cancel();
        resolve(false);
      };
      const timer = this.clock.after(ms, () => {
        this.interruptListeners.delete(onInterrupt);
        resolve(true);
      });
      this.interruptListeners.add(onInterrupt);
    });
  }

  get interrupted(): boolean {
    return this.interruptRequested;
  }

  /** Ends this stub's output: the connection closes once the rest of the chain has flushed. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.dropQueue();
    this.output.end();
  }

  /** Resets the whole connection (TCP RST on both sockets). */
  reset(): void {
    if (this.closed) return;
    this.closed = true;
    this.dropQueue();
    this.host.reset();
  }

  /** The connection is gone: drop everything and wake the toxic so it returns. */
  abort(): void {
    if (this.closed) return;
    this.closed = true;
    this.dropQueue();
    for (const l of this.interruptListeners) l();
    this.interruptListeners.clear();
  }

  private dropQueue(): void {
    this.queue = [];
    this.head = 0;
    this.queuedBytes = 0;
    this.wakeDrainWaiters();
    const reader = this.reader;
    this.reader = null;
    reader?.(INTERRUPTED);
  }

  private wakeDrainWaiters(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }

  // ---- lifecycle, driven by the link ----

  /** Starts a toxic on this stub; toxicity is rolled here, once per start. */
  run(toxic: RunnableToxic): void {
    const impl = this.random() < toxic.toxicity ? toxic.impl : passThrough;
    this.running = impl.pipe(this).then(
      () => {
        this.running = null;
      },
      (err: unknown) => {
        this.running = null;
        this.host.fail(err);
        this.close();
      },
    );
  }

  /**
   * Stops the running toxic so it can be replaced or removed. Resolves true
   * once it has returned, false if the stub was already closed.
   */
  async interrupt(): Promise<boolean> {
    if (this.closed) return false;
    if (this.running === null) return true;
    this.interruptRequested = true;
    const reader = this.reader;
    this.reader = null;
    reader?.(INTERRUPTED);
    for (const l of this.interruptListeners) l();
    this.interruptListeners.clear();
    await this.running;
    this.interruptRequested = false;
    return !this.closed;
  }

  /**
   * After an interrupt, hands everything still queued to the output, in
   * order, and wakes whoever waited on this stub. Used when the stub leaves
   * the chain.
   */
  flushTo(target: Target): void {
    const items = this.queue.slice(this.head);
    this.queue = [];
    this.head = 0;
    this.queuedBytes = 0;
    this.closed = true;
    for (const item of items) {
      if (item === null) {
        target.end();
        break;
      }
      target.write(item);
    }
    this.wakeDrainWaiters();
  }
}
