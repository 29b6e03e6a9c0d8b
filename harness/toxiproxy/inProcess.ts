// In-process connections: a process-local stand-in for loopback TCP between
// endpoints that live in the same process as the built-in proxy server.
//
// Why: the Maelstrom relay sends a node's message to the proxy `A->B` and the
// proxy forwards it to B's inbox, both listeners in this very process. Over
// loopback TCP each of those two legs costs a write(2), a read(2) and an
// event-loop wake-up, which made a relayed message cost about twice a proxy
// hop. Here a dial to an address registered by a listener of this process
// gets a MemorySocket joined to that listener instead, and the bytes move
// between the two ends in memory.
//
// What must not change is what the proxy does to a connection, so a
// MemorySocket is a Duplex with the parts of net.Socket the proxy and the
// endpoints use: flow control (pause/resume, a full reader holds the writer
// back), half-close (end() reaches the peer as end of stream), close
// (destroy() reaches the peer as end of stream after what was sent, as
// close(2) does), reset (resetAndDestroy() destroys the peer with
// ECONNRESET, dropping what it had not read, as a TCP RST does), and refusal
// (a listener that is not accepting is not dialled in memory at all: the
// caller dials TCP and the kernel refuses it, as before).
//
// Only addresses this process has bound over TCP are registered, and only
// while they accept, so a key can never stand for someone else's endpoint:
// anything not registered (an external Toxiproxy, a real node's port) goes
// over TCP exactly as before. Keys are the host and port as the listener
// registered them ("127.0.0.1:8001"); a dial spelled differently
// ("localhost:8001") simply takes TCP.
import type { Server } from 'node:net';
import { Duplex } from 'node:stream';

/** What the harness's endpoints use of a connection: net.Socket and MemorySocket both have it. */
export type StreamSocket = Duplex & {
  setNoDelay(noDelay?: boolean): unknown;
  resetAndDestroy(): unknown;
};

function netError(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

function copyOf(chunk: Buffer): Buffer {
  const copy = Buffer.allocUnsafe(chunk.length); // allocUnsafe + copy: Buffer.from(view) costs several times more
  chunk.copy(copy);
  return copy;
}

export class MemorySocket extends Duplex {
  private peer!: MemorySocket;
  /** The callback of a write the peer's full buffer holds back (as a full TCP window holds a sender). */
  private held: (() => void) | null = null;
  /** End of stream has been pushed to the peer. */
  private eofSent = false;
  private resetting = false;

  private constructor(allowHalfOpen: boolean) {
    super({ allowHalfOpen });
  }

  /** Two joined ends; each end's allowHalfOpen as net.Socket's (false: end of stream ends its writes too). */
  static pair(aHalfOpen: boolean, bHalfOpen: boolean): [MemorySocket, MemorySocket] {
    const a = new MemorySocket(aHalfOpen);
    const b = new MemorySocket(bHalfOpen);
    a.peer = b;
    b.peer = a;
    return [a, b];
  }

  /** Nagle does not apply: every write is delivered as written. */
  setNoDelay(): this {
    return this;
  }

  /** TCP RST: both ends are destroyed, the peer with ECONNRESET and without what it had not read. */
  resetAndDestroy(): this {
    this.resetting = true;
    this.destroy();
    return this;
  }

  override _read(): void {
    this.peer.release();
  }

  /** The peer read (or went away): a write it held back may complete. */
  private release(): void {
    const held = this.held;
    this.held = null;
    held?.();
  }

  // A written chunk is copied, as write(2) copies it into the kernel: once
  // its write is done the writer may reuse the memory (the proxy does, with
  // the reads of a TCP client, see socketReader.ts), while the peer may
  // hold the bytes for as long as it does not read.
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (err?: Error | null) => void): void {
    this.send(copyOf(chunk), done);
  }

  // Writes queued while one is under way (or while corked) go as one chunk, as a writev(2) does.
  override _writev(chunks: { chunk: Buffer }[], done: (err?: Error | null) => void): void {
    this.send(chunks.length === 1 ? copyOf(chunks[0]!.chunk) : Buffer.concat(chunks.map((c) => c.chunk)), done);
  }

  // Delivery is deferred to the next tick so that, as with a socket, data
  // never reaches the peer's 'data' handler inside this write() call (no
  // re-entrancy between the two ends, no deep stacks along a chain of them).
  private send(chunk: Buffer, done: (err?: Error | null) => void): void {
    process.nextTick(() => {
      const peer = this.peer;
      // Bytes sent to a closed peer are lost, as bytes sent to a closed socket.
      if (peer.destroyed || this.eofSent) return done();
      if (peer.push(chunk)) done();
      else this.held = done;
    });
  }

  override _final(done: (err?: Error | null) => void): void {
    process.nextTick(() => {
      this.sendEof();
      done();
    });
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    this.release(); // its bytes are with the peer already
    const peer = this.peer;
    peer.release(); // a write the peer was holding for us to read: we never will
    process.nextTick(() => {
      if (peer.destroyed) return;
      if (this.resetting) peer.destroy(netError('ECONNRESET', 'read ECONNRESET'));
      else this.sendEof();
    });
    done(err);
  }

  private sendEof(): void {
    if (this.eofSent) return;
    this.eofSent = true;
    if (!this.peer.destroyed) this.peer.push(null);
  }
}

interface Endpoint {
  /** The accepted end's allowHalfOpen (the listener's, as net.createServer's option). */
  allowHalfOpen: boolean;
  /** False while the listener does not accept: a dial then takes TCP (and is refused there). */
  open(): boolean;
  accept(socket: MemorySocket): void;
}

const endpoints = new Map<string, Endpoint>();

const key = (host: string, port: number) => `${host}:${port}`;

/** Registers an in-process listener at host:port (an address it has bound over TCP); returns its removal. */
export function listenInProcess(host: string, port: number, endpoint: Endpoint): () => void {
  const k = key(host, port);
  endpoints.set(k, endpoint);
  return () => {
    if (endpoints.get(k) === endpoint) endpoints.delete(k);
  };
}

/**
 * Registers a net.Server, already listening, to be dialled in memory as well
 * while it listens: accepted MemorySockets go to `onConnection`, as its TCP
 * sockets go to its 'connection' handler.
 */
export function serveInProcess(server: Server, onConnection: (socket: MemorySocket) => void, allowHalfOpen = false): void {
  const bound = server.address();
  if (bound === null || typeof bound === 'string') return;
  const remove = listenInProcess(bound.address, bound.port, { allowHalfOpen, open: () => server.listening, accept: onConnection });
  server.once('close', remove);
}

/**
 * A connection to the in-process listener at host:port, or undefined when
 * there is none accepting there (dial TCP then). Like net.connect, it emits
 * 'connect' once accepted, or an ECONNREFUSED error if the listener stopped
 * accepting in the meantime; it may be written to at once.
 */
export function dialInProcess(host: string, port: number, allowHalfOpen = false): MemorySocket | undefined {
  const k = key(host, port);
  const endpoint = endpoints.get(k);
  if (endpoint === undefined || !endpoint.open()) return undefined;
  const [dialer, accepted] = MemorySocket.pair(allowHalfOpen, endpoint.allowHalfOpen);
  process.nextTick(() => {
    if (dialer.destroyed) return void accepted.destroy();
    if (endpoints.get(k) !== endpoint || !endpoint.open()) {
      accepted.destroy();
      return void dialer.destroy(netError('ECONNREFUSED', `connect ECONNREFUSED ${k}`));
    }
    endpoint.accept(accepted);
    dialer.emit('connect');
  });
  return dialer;
}
