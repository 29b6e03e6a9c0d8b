// One TCP connection speaking the client wire protocol: a JSON object per
// line, requests tagged with msg_id, replies matched by in_reply_to. Each
// logical client process owns one; it is thrown away with the process after
// an indefinite outcome, so a late reply can never be read as a fresh one.
import { connect, type Socket } from 'node:net';

export type Reply = { type: string; in_reply_to?: number; [field: string]: unknown };

/** What became of a request. `sent` tells whether any byte may have reached the server. */
export type Outcome =
  | { kind: 'reply'; body: Reply }
  | { kind: 'timeout' }
  | { kind: 'closed'; sent: boolean; reason: string };

/** Maelstrom addressing: requests go out as `{"src","dest","body"}` instead of a bare body. */
export interface Envelope {
  src: string;
  dest: string;
}

export class WireConnection {
  private buffer = '';
  private nextId = 1;
  private readonly pending = new Map<number, (o: Outcome) => void>();
  private closedReason: string | null = null;

  private constructor(
    private readonly socket: Socket,
    private readonly envelope?: Envelope,
  ) {
    socket.setEncoding('utf8');
    socket.setNoDelay(true);
    socket.on('data', (chunk: string) => this.onData(chunk));
    const onGone = (reason: string) => {
      if (this.closedReason !== null) return;
      this.closedReason = reason;
      for (const [, settle] of this.pending) settle({ kind: 'closed', sent: true, reason });
      this.pending.clear();
    };
    socket.on('error', (err) => onGone(err.message));
    socket.on('close', () => onGone('connection closed'));
  }

  /** Resolves with a connection, or with the reason it could not be opened (nothing was sent). */
  static open(host: string, port: number, timeoutMs: number, envelope?: Envelope): Promise<WireConnection | { error: string }> {
    return new Promise((resolve) => {
      const socket = connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        resolve({ error: 'connect timeout' });
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new WireConnection(socket, envelope));
      });
      socket.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        socket.destroy();
        resolve({ error: err.code ?? err.message });
      });
    });
  }

  get closed(): boolean {
    return this.closedReason !== null;
  }

  request(body: Record<string, unknown>, timeoutMs: number): Promise<Outcome> {
    if (this.closedReason !== null) {
      return Promise.resolve({ kind: 'closed', sent: false, reason: this.closedReason });
    }
    const msgId = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(msgId);
        resolve({ kind: 'timeout' });
      }, timeoutMs);
      this.pending.set(msgId, (o) => {
        clearTimeout(timer);
        resolve(o);
      });
      const payload = { ...body, msg_id: msgId };
      this.socket.write(JSON.stringify(this.envelope ? { ...this.envelope, body: payload } : payload) + '\n');
    });
  }

  close(): void {
    this.closedReason ??= 'closed by client';
    this.socket.destroy();
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      if (line.length === 0) continue;
      let msg: unknown;
      try {
        msg = JSON.parse(line);
      } catch {
        continue; // a garbled line cannot be matched to a request; its request will time out (info)
      }
      if (typeof msg !== 'object' || msg === null) continue;
      // Maelstrom-style envelopes carry the reply under "body".
      const reply = ('body' in msg && typeof (msg as { body: unknown }).body === 'object' ? (msg as { body: Reply }).body : msg) as Reply;
      const id = reply.in_reply_to;
      if (typeof id !== 'number') continue;
      const settle = this.pending.get(id);
      if (settle) {
        this.pending.delete(id);
        settle({ kind: 'reply', body: reply });
      }
    }
  }
}

/** Sends one request on a fresh connection and closes it: for the harness's own questions (who is primary?). */
export async function askOnce(host: string, port: number, body: Record<string, unknown>, timeoutMs: number): Promise<Outcome> {
  const conn = await WireConnection.open(host, port, timeoutMs);
  if ('error' in conn) return { kind: 'closed', sent: false, reason: conn.error };
  try {
    return await conn.request(body, timeoutMs);
  } finally {
    conn.close();
  }
}
