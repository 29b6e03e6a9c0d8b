// A proxy: listens on one address, and for every client it accepts opens a
// connection to the upstream and joins the two with a link per direction.
// Disabling it stops listening (connects are refused) and closes its open
// connections; enabling binds the same address again. (Toxiproxy's proxy.go.)
//
// While enabled, a proxy also accepts in-process connections at its listen
// address, and dials its upstream in process when a listener of this process
// is registered there (inProcess.ts): the relay's legs cost no loopback
// socket. Such a connection gets the same links, toxics and closing as a TCP
// one; only its reads come as 'data' chunks instead of through a SocketReader.
import net, { type Socket } from 'node:net';
import type { Clock, Random } from './clock.ts';
import { ApiError } from './errors.ts';
import { dialInProcess, listenInProcess, type MemorySocket, type StreamSocket } from './inProcess.ts';
import { ToxicLink, type LinkOwner } from './link.ts';
import { Mutex } from './mutex.ts';
import { SocketReader } from './socketReader.ts';
import { ToxicCollection } from './toxicCollection.ts';
import { toxicJson, type ToxicJson } from './toxic.ts';

export interface ProxyJson {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: ToxicJson[];
}

export interface ProxyEnv {
  clock: Clock;
  random: Random;
  log(line: string): void;
  /** An internal error (a bug): reported loudly, the affected connection is closed. */
  fail(err: unknown): void;
}

/** Splits "host:port" as Go's net.SplitHostPort does (IPv6 in brackets). */
export function splitHostPort(addr: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d{1,5})$/.exec(addr);
  if (m === null) return undefined;
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  return { host: m[1] ?? m[2] ?? '', port };
}

function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

const BIND_ERRORS: Record<string, string> = {
  EADDRINUSE: 'address already in use',
  EACCES: 'permission denied',
  EADDRNOTAVAIL: 'cannot assign requested address',
};

/** One accepted client and its upstream connection. */
class Connection implements LinkOwner {
  readonly links: ToxicLink[] = [];
  private open = 2;

  constructor(
    readonly client: StreamSocket,
    readonly upstream: StreamSocket,
    /** Per side, the SocketReader a TCP socket reads through (none for an in-process one). */
    private readonly readers: { client?: SocketReader; upstream?: SocketReader },
    private readonly proxy: Proxy,
  ) {}

  get clock(): Clock {
    return this.proxy.env.clock;
  }
  random(): number {
    return this.proxy.env.random();
  }
  fail(err: unknown): void {
    this.proxy.env.fail(err);
  }

  start(): void {
    const onClose = () => {
      if (--this.open === 0) this.closed();
    };
    this.client.once('close', onClose);
    this.upstream.once('close', onClose);
    const toxics = this.proxy.toxics;
    const up = new ToxicLink('upstream', this.client, this.upstream, this, this.readers.client);
    const down = new ToxicLink('downstream', this.upstream, this.client, this, this.readers.upstream);
    this.links.push(up, down);
    for (const link of this.links) {
      toxics.links.add(link);
      link.start(toxics.chain[link.direction]);
    }
  }

  /** TCP RST both ways (reset_peer). */
  reset(): void {
    for (const s of [this.client, this.upstream]) if (!s.destroyed) s.resetAndDestroy();
  }

  destroy(): void {
    this.client.destroy();
    this.upstream.destroy();
  }

  private closed(): void {
    for (const link of this.links) {
      link.abort();
      this.proxy.toxics.links.delete(link);
    }
    this.proxy.connections.delete(this);
  }
}

export class Proxy {
  enabled = false;
  readonly toxics = new ToxicCollection();
  readonly connections = new Set<Connection>();
  /** Serialises API changes to this proxy and its toxics. */
  readonly lock = new Mutex();
  private server: net.Server | null = null;
  /** Undoes the in-process registration of the listen address. */
  private unlisten: (() => void) | null = null;
  /** Clients accepted while their upstream connection is still being opened. */
  private readonly dialing = new Set<StreamSocket>();

  constructor(
    readonly name: string,
    public listen: string,
    public upstream: string,
    readonly env: ProxyEnv,
  ) {}

  toJSON(): ProxyJson {
    return {
      name: this.name,
      listen: this.listen,
      upstream: this.upstream,
      enabled: this.enabled,
      toxics: this.toxics.list().map(toxicJson),
    };
  }

  /** Binds the listen address; on success `listen` holds the real address (port 0 resolved). */
  async start(): Promise<void> {
    if (this.enabled) return;
    const addr = splitHostPort(this.listen === '' ? '127.0.0.1:0' : this.listen);
    if (addr === undefined) {
      throw new ApiError(`listen tcp ${this.listen}: address ${this.listen}: missing port in address`, 500);
    }
    // Loopback by default: an empty host or "localhost" binds 127.0.0.1 only.
    const host = addr.host === '' || addr.host === 'localhost' ? '127.0.0.1' : addr.host;
    const server = net.createServer({ allowHalfOpen: true, noDelay: true, pauseOnConnect: true }, (c) =>
      this.accept(c),
    );
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        const why = BIND_ERRORS[err.code ?? ''] ?? err.message;
        reject(new ApiError(`listen tcp ${joinHostPort(host, addr.port)}: bind: ${why}`, 500));
      });
      server.listen({ host, port: addr.port, exclusive: true }, () => resolve());
    });
    server.on('error', (err) => this.env.log(`proxy ${this.name}: listener error: ${err.message}`));
    const bound = server.address() as net.AddressInfo;
    this.listen = joinHostPort(bound.address, bound.port);
    this.server = server;
    this.enabled = true;
    // Allow-half-open, as the TCP listener: the links decide when a side closes.
    this.unlisten = listenInProcess(bound.address, bound.port, {
      allowHalfOpen: true,
      open: () => this.enabled && this.server === server,
      accept: (c) => this.acceptInProcess(c),
    });
  }

  /** Stops listening and closes every open connection. */
  async stop(): Promise<void> {
    if (!this.enabled) return;
    this.enabled = false;
    this.unlisten?.();
    this.unlisten = null;
    const server = this.server;
    this.server = null;
    const closed = new Promise<void>((r) => server?.close(() => r()) ?? r());
    for (const c of this.dialing) c.destroy();
    this.dialing.clear();
    for (const conn of this.connections) conn.destroy();
    await closed;
  }

  /** Applies a PATCH: a new listen or upstream restarts the proxy; `enabled` toggles it. */
  async update(input: { listen: string; upstream: string; enabled: boolean }): Promise<void> {
    if (input.listen !== this.listen || input.upstream !== this.upstream) {
      await this.stop();
      this.listen = input.listen;
      this.upstream = input.upstream;
    }
    if (input.enabled !== this.enabled) {
      if (input.enabled) await this.start();
      else await this.stop();
    }
  }

  private accept(accepted: Socket): void {
    accepted.on('error', () => {});
    if (splitHostPort(this.upstream) === undefined || !this.enabled) {
      accepted.destroy();
      return;
    }
    const reader = new SocketReader();
    this.join(reader.adopt(accepted), reader);
  }

  private acceptInProcess(accepted: MemorySocket): void {
    accepted.on('error', () => {});
    if (splitHostPort(this.upstream) === undefined || !this.enabled) {
      accepted.destroy();
      return;
    }
    this.join(accepted, undefined);
  }

  /** Opens the upstream connection for an accepted client and, once it is up, links the two. */
  private join(client: StreamSocket, clientReader: SocketReader | undefined): void {
    const target = splitHostPort(this.upstream)!;
    // Both sockets stay paused until their links are wired (ToxicLink.start resumes them).
    client.on('error', () => {});
    this.dialing.add(client);
    const inProcess = dialInProcess(target.host, target.port, true);
    const upstreamReader = inProcess === undefined ? new SocketReader() : undefined;
    const upstream: StreamSocket =
      inProcess ?? upstreamReader!.connect({ host: target.host, port: target.port, allowHalfOpen: true, noDelay: true });
    const readers = { client: clientReader, upstream: upstreamReader };
    upstream.pause();
    upstream.on('error', () => {});
    const abandon = () => {
      this.dialing.delete(client);
      upstream.destroy();
    };
    client.once('close', abandon);
    upstream.once('error', (err) => {
      this.env.log(`proxy ${this.name}: unable to open connection to upstream ${this.upstream}: ${err.message}`);
      this.dialing.delete(client);
      client.destroy();
    });
    upstream.once('connect', () => {
      client.off('close', abandon);
      this.dialing.delete(client);
      if (client.destroyed || !this.enabled) {
        client.destroy();
        upstream.destroy();
        return;
      }
      const conn = new Connection(client, upstream, readers, this);
      this.connections.add(conn);
      conn.start();
    });
  }
}
