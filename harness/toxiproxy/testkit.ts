// Shared helpers for the proxy's socket tests (like Toxiproxy's WithEchoProxy):
// an echo server, a started API server with a client, raw HTTP, and socket
// readers that report how a connection ended.
import net, { type AddressInfo, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { Toxiproxy } from 'toxiproxy-node-client';
import { findShared } from '../../checkers/corpus-path.ts';
import { freePort } from '../cluster/ports.ts';
import { ProcessOwner } from '../cluster/processes.ts';
import { startToxiproxyServer, type ToxiproxyServer, type ToxiproxyServerOptions } from './server.ts';

export interface TcpServer {
  port: number;
  sockets: Set<Socket>;
  close(): Promise<void>;
}

/** A TCP server on 127.0.0.1:0; `onSocket` defaults to echoing. */
export async function tcpServer(onSocket: (s: Socket) => void = (s) => s.pipe(s)): Promise<TcpServer> {
  const sockets = new Set<Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.once('close', () => sockets.delete(s));
    onSocket(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    sockets,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

export interface Fixture {
  server: ToxiproxyServer;
  client: Toxiproxy;
  echo: TcpServer;
  close(): Promise<void>;
}

export async function fixture(options: ToxiproxyServerOptions = {}): Promise<Fixture> {
  const server = await startToxiproxyServer({ port: 0, ...options });
  const echo = await tcpServer();
  return {
    server,
    client: new Toxiproxy(server.url),
    echo,
    async close() {
      await server.close();
      await echo.close();
    },
  };
}

export function portOf(listen: string): number {
  return Number(listen.slice(listen.lastIndexOf(':') + 1));
}

export function connect(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', noDelay: true });
    s.once('connect', () => {
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
}

/** Everything a socket receives, and how it ended. */
export function watch(s: Socket) {
  const chunks: Buffer[] = [];
  let error: string | undefined;
  s.on('data', (b: Buffer) => chunks.push(b));
  s.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
  const closed = new Promise<{ error: string | undefined; at: number }>((r) =>
    s.once('close', () => r({ error, at: performance.now() })),
  );
  return {
    text: () => Buffer.concat(chunks).toString(),
    bytes: () => chunks.reduce((n, c) => n + c.length, 0),
    reads: () => chunks.length,
    closed,
    /** Resolves once at least `n` bytes arrived (or rejects after `ms`). */
    async waitBytes(n: number, ms = 5000): Promise<void> {
      const deadline = performance.now() + ms;
      while (chunks.reduce((k, c) => k + c.length, 0) < n) {
        if (performance.now() > deadline) throw new Error(`only ${chunks.reduce((k, c) => k + c.length, 0)} of ${n} bytes after ${ms} ms`);
        await sleep(2);
      }
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Milliseconds for one write-and-echo round trip of `text`. */
export async function roundTrip(s: Socket, text: string): Promise<number> {
  const t0 = performance.now();
  s.write(text);
  let got = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (b: Buffer) => {
      got += b.toString();
      if (got.length >= text.length) {
        s.off('data', onData);
        s.off('close', onClose);
        resolve();
      }
    };
    const onClose = () => reject(new Error(`closed after ${got.length} bytes`));
    s.on('data', onData);
    s.once('close', onClose);
  });
  return performance.now() - t0;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  json: () => unknown;
}

export async function raw(
  base: string,
  method: string,
  path: string,
  body?: string | object,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const res = await fetch(base + path, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
}

/** Number of live TCP handles in this process (listeners and sockets). */
export function tcpHandles(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TCPServerWrap').length;
}

export interface ProxyServer {
  url: string;
  close(): Promise<void>;
}

/** The real Toxiproxy 2.12 beside the repository (../shared/anchors/bin), or null: tests using it skip, visibly. */
export const REAL_TOXIPROXY = findShared('anchors', 'bin', 'toxiproxy-server');

/** The real Toxiproxy as a process owned by this one (gone when it is), on a free port, once its API answers. */
export async function startRealToxiproxy(binary = REAL_TOXIPROXY!): Promise<ProxyServer> {
  const owner = new ProcessOwner();
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const proc = owner.start({ name: 'toxiproxy-server', argv: [binary, '-host', '127.0.0.1', '-port', String(port)], cwd: dirname(binary) });
    const url = `http://127.0.0.1:${port}`;
    while (proc.alive()) {
      if (await fetch(`${url}/version`).then((r) => r.ok, () => false)) return { url, close: () => owner.stopAll() };
      await Promise.race([proc.exited, new Promise((r) => setTimeout(r, 20))]);
    }
    // It exited: most likely its port was taken between freePort and its bind.
    if (attempt === 3) throw new Error(`toxiproxy-server did not start: ${proc.tail().trim()}`);
  }
}
