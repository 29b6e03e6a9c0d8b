// A minimal wire-protocol client for tests: one TCP connection to a node,
// requests matched to replies by msg_id, a timeout per request.
import net from 'node:net';
import type { Body } from '../runtime/env.ts';

export class TestClient {
  private nextId = 1;
  private buffer = '';
  private readonly waiting = new Map<number, (b: Body | null) => void>();

  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        if (line.trim() === '') continue;
        const body = JSON.parse(line) as Body;
        const done = typeof body.in_reply_to === 'number' ? this.waiting.get(body.in_reply_to) : undefined;
        if (done !== undefined) {
          this.waiting.delete(body.in_reply_to!);
          done(body);
        }
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      for (const done of this.waiting.values()) done(null);
      this.waiting.clear();
    });
  }

  static connect(port: number): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => resolve(new TestClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Sends a request; resolves with the reply, or null after `timeoutMs` or if the connection closes. */
  request(body: Omit<Body, 'msg_id'>, timeoutMs = 5000): Promise<Body | null> {
    const msgId = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(msgId);
        resolve(null);
      }, timeoutMs);
      this.waiting.set(msgId, (b) => {
        clearTimeout(timer);
        resolve(b);
      });
      this.socket.write(JSON.stringify({ ...body, msg_id: msgId }) + '\n');
    });
  }

  close(): void {
    this.socket.destroy();
  }
}
