// One node's side of one link A->X, as the relay drives it: a connection to
// the proxy `A->X` (in memory when the proxy is the harness's own, see
// toxiproxy/inProcess.ts; TCP otherwise), dialled when there is something to
// send and dialled again after the proxy closed or refused it (a healed
// partition, a reset).
// Like a datagram network, it loses what it cannot send: while the proxy
// refuses, messages are dropped, and a node that needs them must retry, as
// it would under Maelstrom's lossy network. Lines coming back on the
// connection (a service's replies) go to `onLine`.
import { connect } from 'node:net';
import { dialInProcess, type StreamSocket } from '../toxiproxy/inProcess.ts';
import type { Address } from '../cluster/cluster.ts';
import { writeBatched } from './batchedWrite.ts';
import { readFrames } from './framing.ts';

/** Messages held while a connection is being made; beyond that they are lost. */
const MAX_QUEUED = 10_000;
/** After a refused dial, messages are dropped for this long instead of dialling for each one. */
const REDIAL_AFTER_MS = 50;

export class OutLink {
  private socket: StreamSocket | null = null;
  private connected = false;
  private queue: string[] = [];
  private refusedAt = -Infinity;
  /** Messages lost because the link was down. */
  lost = 0;

  constructor(
    private readonly address: Address,
    private readonly onLine: (line: string) => void,
    private readonly onDamaged: () => void,
  ) {}

  send(framed: string): void {
    if (this.connected) {
      writeBatched(this.socket!, framed);
    } else if (this.socket !== null) {
      if (this.queue.length < MAX_QUEUED) this.queue.push(framed);
      else this.lost++;
    } else if (performance.now() - this.refusedAt < REDIAL_AFTER_MS) {
      this.lost++;
    } else {
      this.queue.push(framed);
      this.dial();
    }
  }

  private dial(): void {
    const { host, port } = this.address;
    const socket: StreamSocket = dialInProcess(host, port) ?? connect({ host, port });
    this.socket = socket;
    socket.setNoDelay(true);
    readFrames(socket, this.onLine, this.onDamaged);
    socket.once('connect', () => {
      if (this.socket !== socket) return;
      this.connected = true;
      for (const framed of this.queue) writeBatched(socket, framed);
      this.queue = [];
    });
    socket.on('error', () => undefined);
    socket.once('close', () => {
      if (this.socket !== socket) return;
      if (!this.connected) this.refusedAt = performance.now();
      this.lost += this.queue.length;
      this.queue = [];
      this.socket = null;
      this.connected = false;
    });
  }

  /** Drops the connection (its node died); the next send dials afresh. */
  close(): void {
    const socket = this.socket;
    this.socket = null;
    this.connected = false;
    this.queue = [];
    socket?.destroy();
  }
}
