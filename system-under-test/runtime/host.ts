// The real host: one OS process per node, TCP, one JSON object per line.
//
// Wire framing. Between nodes every line is an envelope
// `{"src":"c1","dest":"s1","body":{...}}`; from clients (the harness) a line is
// a bare body, and such a connection gets a made-up id "client#N" that replies
// are routed back on. A node dials only its peers (`--peers`, which under the
// harness are proxy addresses), and redials forever after a close; messages
// sent while a link is down wait in a small bounded queue (oldest dropped),
// so delivery can be late or lost, which the nodes tolerate (Env's host
// duties). Replies to a node we do not dial go back on the connection its
// message arrived on.
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Body, Env, Node, NodeFactory, TimerId } from './env.ts';
import type { Address, NodeArgs } from './args.ts';
import { noStorage, openDiskStorage } from './storage.ts';

const RECONNECT_MS = 100;
/**
 * Lines written while a link is down wait (up to this many) and go out on
 * connect: nodes start in any order, and a delayed message is something every
 * node tolerates anyway. Beyond the bound the oldest are dropped.
 */
const MAX_QUEUED_LINES = 1000;
/** A stalled link (a proxy holding data) must not grow memory without bound. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
const MAX_LINE_BYTES = 16 * 1024 * 1024;

export interface RunningHost {
  port: number;
  stop(): Promise<void>;
}

class Link {
  socket: net.Socket | null = null;
  private readonly queued: string[] = [];
  private stopped = false;
  private lastLogged = -Infinity;
  private retry: NodeJS.Timeout | null = null;

  constructor(
    private readonly peer: string,
    private readonly address: Address,
    private readonly onLine: (line: string, socket: net.Socket) => void,
    private readonly log: (m: string) => void,
  ) {
    this.connect();
  }

  private connect(): void {
    if (this.stopped) return;
    const socket = net.connect({ host: this.address.host, port: this.address.port });
    socket.setNoDelay(true);
    let connected = false;
    socket.on('connect', () => {
      connected = true;
      this.socket = socket;
      for (const line of this.queued.splice(0)) socket.write(line);
    });
    readLines(socket, (line) => this.onLine(line, socket), this.log);
    socket.on('error', () => {});
    socket.on('close', () => {
      if (this.socket === socket) this.socket = null;
      // Through a proxy every dial "connects", so log a lost link once per minute at most.
      if (connected && this.lastLogged + 60_000 < Date.now()) {
        this.lastLogged = Date.now();
        this.log(`link to ${this.peer} closed; redialling every ${RECONNECT_MS} ms`);
      }
      if (!this.stopped) this.retry = setTimeout(() => this.connect(), RECONNECT_MS);
    });
  }

  write(line: string): void {
    const s = this.socket;
    if (s === null || s.destroyed) {
      this.queued.push(line);
      if (this.queued.length > MAX_QUEUED_LINES) this.queued.shift();
      return;
    }
    if (s.writableLength > MAX_BUFFERED_BYTES) return;
    s.write(line);
  }

  stop(): void {
    this.stopped = true;
    if (this.retry !== null) clearTimeout(this.retry);
    this.socket?.destroy();
  }
}

/**
 * A node-to-node line: the envelope carries the body's serialized length, so a
 * line spliced from two messages by a proxy that dropped bytes in between (a
 * large transfer spans several TCP chunks) is refused even if it happens to
 * parse.
 */
function envelope(src: string, dest: string, body: Body): string {
  const text = JSON.stringify(body);
  return `{"src":${JSON.stringify(src)},"dest":${JSON.stringify(dest)},"n":${text.length},"body":${text}}\n`;
}

function intact(obj: Record<string, unknown>): boolean {
  return obj.n === undefined || obj.n === JSON.stringify(obj.body).length;
}

function readLines(socket: net.Socket, onLine: (line: string) => void, log: (m: string) => void): void {
  let buffer = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (line !== '') onLine(line);
    }
    if (buffer.length > MAX_LINE_BYTES) {
      log('line too long; closing connection');
      socket.destroy();
    }
  });
}

/** Starts `factory`'s node on `args.listen`; resolves once it is listening. */
export function startHost(args: NodeArgs, factory: NodeFactory): Promise<RunningHost> {
  const log = (m: string) => process.stderr.write(`[${args.id}] ${m}\n`);
  const timers = new Map<TimerId, NodeJS.Timeout>();
  let nextTimer = 1;
  let nextClient = 1;
  /** Where to send replies to senders we do not dial: clients and inbound nodes. */
  const routes = new Map<string, net.Socket>();
  const links = new Map<string, Link>();
  const sockets = new Set<net.Socket>();
  let node: Node | null = null;

  const deliver = (from: string, body: Body) => {
    try {
      node?.receive(from, body);
    } catch (err) {
      log(`handler error on ${JSON.stringify(body)}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  };

  // A node line is an envelope; anything else on a connection is a client's bare body.
  const onLine = (line: string, socket: net.Socket, clientId: string | null) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      log(`dropping unparsable line: ${line.slice(0, 200)}`);
      return;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return;
    const obj = parsed as Record<string, unknown>;
    if (typeof obj.src === 'string' && typeof obj.body === 'object' && obj.body !== null) {
      const body = obj.body as Body;
      if (!intact(obj)) {
        log(`dropping a damaged line from ${obj.src} (its length does not match)`);
        return;
      }
      if (typeof body.type !== 'string') return;
      if (!links.has(obj.src)) routes.set(obj.src, socket);
      deliver(obj.src, body);
    } else if (clientId !== null && typeof obj.type === 'string') {
      deliver(clientId, obj as Body);
    }
  };

  const env: Env = {
    id: args.id,
    peers: [...args.peers.keys()],
    send(to, body) {
      const link = links.get(to);
      if (link !== undefined) {
        link.write(envelope(args.id, to, body));
        return;
      }
      const socket = routes.get(to);
      if (socket === undefined || socket.destroyed || socket.writableLength > MAX_BUFFERED_BYTES) return;
      socket.write(to.startsWith('client#') ? JSON.stringify(body) + '\n' : envelope(args.id, to, body));
    },
    now: () => performance.now(),
    setTimer(ms, fn) {
      const id = nextTimer++;
      timers.set(
        id,
        setTimeout(() => {
          timers.delete(id);
          try {
            fn();
          } catch (err) {
            log(`timer error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
          }
        }, Math.max(0, ms)),
      );
      return id;
    },
    cancelTimer(id) {
      const t = timers.get(id);
      if (t !== undefined) clearTimeout(t);
      timers.delete(id);
    },
    random: () => Math.random(),
    log,
    storage: args.data === null ? noStorage(args.id) : openDiskStorage(args.data),
  };

  const server = net.createServer((socket) => {
    const clientId = `client#${nextClient++}`;
    sockets.add(socket);
    socket.setNoDelay(true);
    routes.set(clientId, socket);
    readLines(socket, (line) => onLine(line, socket, clientId), log);
    socket.on('error', () => {});
    socket.on('close', () => {
      sockets.delete(socket);
      for (const [id, s] of routes) if (s === socket) routes.delete(id);
    });
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(args.listen.port, '127.0.0.1', () => {
      server.off('error', reject);
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : args.listen.port;
      try {
        node = factory(env);
      } catch (err) {
        // A node that cannot start (e.g. no disk for its durable state) must not half-run.
        for (const t of timers.values()) clearTimeout(t);
        server.close();
        reject(err);
        return;
      }
      for (const [peer, address] of args.peers) links.set(peer, new Link(peer, address, (line, s) => onLine(line, s, null), log));
      log(`listening on 127.0.0.1:${port}, peers ${[...args.peers.keys()].join(',') || '(none)'}`);
      resolve({
        port,
        async stop() {
          for (const t of timers.values()) clearTimeout(t);
          timers.clear();
          for (const link of links.values()) link.stop();
          for (const s of sockets) s.destroy();
          await new Promise<void>((done) => server.close(() => done()));
        },
      });
    });
  });
}
