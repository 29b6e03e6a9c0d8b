// A ToxicLink carries one direction of one proxied connection: bytes read
// from `source` pass through a chain of ToxicStubs (one per toxic of that
// direction, in insertion order) and are written to `dest`. Modelled on
// Toxiproxy's link.go. With no toxics the link writes straight to the
// destination socket (the fast path); toxics added, updated or removed while
// the connection is open are spliced into the running chain without losing
// or reordering bytes. Sockets are typed as plain Duplex streams so the
// link can be tested on in-memory streams.
//
// A source socket either emits 'data' chunks the link may keep, or (the
// proxy's sockets) reads through a SocketReader into memory it reuses: such
// a read is written straight from that memory, and while a write of it is
// still pending the source stays paused, as socketReader.ts requires. Toxics
// get a copy, since they hold chunks for as long as they like.
import type { Duplex } from 'node:stream';
import type { Clock, Random } from './clock.ts';
import type { SocketReader } from './socketReader.ts';
import { ToxicStub, type Chunk, type StubHost, type Target } from './stub.ts';
import type { ToxicWrapper } from './toxic.ts';

export type Direction = 'upstream' | 'downstream';

/** What a link needs from its connection. */
export interface LinkOwner {
  clock: Clock;
  random: Random;
  reset(): void;
  fail(err: unknown): void;
}

/** Resolves on the first of the given events (or at once if the socket is gone). */
function onceAny(socket: Duplex, events: string[]): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      for (const e of events) socket.off(e, done);
      resolve();
    };
    for (const e of events) socket.on(e, done);
  });
}

export class ToxicLink implements StubHost {
  stubs: ToxicStub[] = [];
  /** The destination has been told end of stream. */
  finished = false;
  private sourceEnded = false;
  /** The source is paused while a toxic or the destination is above its high-water mark... */
  private waitingDrain = false;
  /** ...and while a write to the destination still holds a borrowed read. */
  private lending = false;
  private readonly sink: Target;

  constructor(
    readonly direction: Direction,
    private readonly source: Duplex,
    private readonly dest: Duplex,
    private readonly owner: LinkOwner,
    /** The source's reader, when it reads into reused memory rather than emitting 'data'. */
    private readonly reader?: Pick<SocketReader, 'onRead'>,
  ) {
    this.sink = {
      write: (chunk: Chunk) => (this.finished ? true : this.dest.write(chunk.data, this.written)),
      end: () => this.finish(),
      whenDrained: () => (this.dest.writableNeedDrain ? onceAny(this.dest, ['drain', 'close']) : Promise.resolve()),
    };
  }

  get clock(): Clock {
    return this.owner.clock;
  }
  random(): number {
    return this.owner.random();
  }
  reset(): void {
    this.owner.reset();
  }
  fail(err: unknown): void {
    this.owner.fail(err);
  }

  /** Builds the chain for the toxics present now and starts reading. */
  start(chain: readonly ToxicWrapper[]): void {
    for (const toxic of chain) this.stubs.push(this.newStub(toxic, this.sink));
    for (let i = 0; i + 1 < this.stubs.length; i++) this.stubs[i]!.output = this.stubs[i + 1]!;
    chain.forEach((toxic, i) => this.stubs[i]!.run(toxic));
    if (this.reader !== undefined) this.reader.onRead = this.onBorrowed;
    else this.source.on('data', this.onData);
    this.source.once('end', this.onEnd);
    this.source.once('close', this.onEnd);
    this.source.resume();
  }

  private newStub(toxic: ToxicWrapper, output: Target): ToxicStub {
    const stub = new ToxicStub(this, output);
    if (toxic.definition.newState) stub.state = toxic.definition.newState();
    return stub;
  }

  private readonly onData = (data: Buffer): void => {
    const first = this.stubs[0];
    if (first === undefined) {
      // Fast path: no toxics in this direction.
      if (!this.finished && !this.dest.write(data)) this.pauseUntil(this.sink.whenDrained());
      return;
    }
    if (!first.write({ data, timestamp: this.owner.clock.now() })) this.pauseUntil(first.whenDrained());
  };

  /** A read in memory the source reuses once this returns, unless the source is paused. */
  private readonly onBorrowed = (view: Buffer): void => {
    if (this.stubs.length > 0) {
      // allocUnsafe + copy: Buffer.from(view) costs several times more.
      const copy = Buffer.allocUnsafe(view.length);
      view.copy(copy);
      return this.onData(copy);
    }
    if (this.finished) return;
    this.dest.write(view, this.written);
    // Not all taken at once: the pending write still points into the
    // reader's memory, so no read may land there until it completes.
    if (this.dest.writableLength > 0 && !this.lending) {
      this.lending = true;
      this.source.pause();
    }
  };

  /** Every write to the destination calls back here once done. */
  private readonly written = (): void => {
    if (this.lending && this.dest.writableLength === 0) {
      this.lending = false;
      this.resumeUnlessWaiting();
    }
  };

  private readonly onEnd = (): void => {
    if (this.sourceEnded) return;
    this.sourceEnded = true;
    this.source.off('data', this.onData);
    (this.stubs[0] ?? this.sink).end();
  };

  private pauseUntil(ready: Promise<void>): void {
    if (this.waitingDrain) return;
    this.waitingDrain = true;
    this.source.pause();
    void ready.then(() => {
      this.waitingDrain = false;
      this.resumeUnlessWaiting();
    });
  }

  private resumeUnlessWaiting(): void {
    if (!this.waitingDrain && !this.lending && !this.sourceEnded) this.source.resume();
  }

  /** End of stream reached the destination: close it once written (Toxiproxy closes, it does not half-close). */
  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.dest.destroyed) return;
    this.dest.end(() => this.dest.destroy());
  }

  /** The connection is gone: stop every toxic. */
  abort(): void {
    for (const stub of this.stubs) stub.abort();
  }

  // ---- live chain changes (called with the proxy's toxic lock held) ----

  addToxic(toxic: ToxicWrapper): void {
    const stub = this.newStub(toxic, this.sink);
    if (this.finished) {
      // Keep stubs index-aligned with the proxy's chain, but inert.
      this.stubs.push(stub);
      stub.abort();
      return;
    }
    const last = this.stubs[this.stubs.length - 1];
    // Redirecting the last stub's output (or the source) is enough: whatever
    // it already wrote is ahead of anything the new stub will pass on.
    if (last !== undefined) last.output = stub;
    this.stubs.push(stub);
    stub.run(toxic);
  }

  async updateToxic(index: number, toxic: ToxicWrapper): Promise<void> {
    const stub = this.stubs[index];
    if (stub !== undefined && (await stub.interrupt())) stub.run(toxic);
  }

  async removeToxic(index: number, toxic: ToxicWrapper): Promise<void> {
    const stub = this.stubs[index];
    if (stub === undefined) return;
    const live = await stub.interrupt();
    // Keep the stubs in step with the proxy's chain whatever happens next.
    this.stubs.splice(this.stubs.indexOf(stub), 1);
    const prev = this.stubs[index - 1];
    if (live && toxic.impl.cleanup) toxic.impl.cleanup(stub);
    if (!live || stub.closed) {
      // The stub ended the stream (or the connection is going): anything
      // upstream of it has nowhere to go but the same end.
      if (prev !== undefined) prev.output = stub.output;
      if (!stub.closed) stub.abort();
      return;
    }
    if (prev !== undefined) prev.output = stub.output;
    stub.flushTo(stub.output);
  }
}
