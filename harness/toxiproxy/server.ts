// The HTTP server around the route table: body limits, JSON parsing, the
// browser guard, error rendering, and shutdown that leaves no socket behind.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { match, pathSegments, type Reply } from './api.ts';
import { realClock, type Clock, type Random } from './clock.ts';
import { ProxyCollection } from './collection.ts';
import { ApiError, ErrBadRequestBody } from './errors.ts';
import type { ProxyEnv } from './proxy.ts';

/** The body of Go's 404 page. */
const NOT_FOUND = '404 page not found\n';

/** Request bodies above this are refused: no API call needs more. */
export const MAX_BODY_BYTES = 1 << 20;

export interface ToxiproxyServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port (the CLI defaults to Toxiproxy's 8474). */
  port?: number;
  clock?: Clock;
  random?: Random;
  /** Operational messages (upstream unreachable, ...). Default: discarded. */
  log?: (line: string) => void;
  /**
   * Internal errors (bugs in the proxy). Default: written to stderr. The
   * affected connection or request fails; the server keeps serving.
   */
  onError?: (err: unknown) => void;
}

export interface ToxiproxyServer {
  /** e.g. http://127.0.0.1:8474 */
  url: string;
  port: number;
  host: string;
  /** The live proxies, for tests and diagnostics. */
  proxies: ProxyCollection;
  /** Stops the API and every proxy, closing all their sockets. */
  close(): Promise<void>;
}

function send(res: ServerResponse, reply: Reply): void {
  if (reply.raw !== undefined) {
    res.writeHead(reply.status, { 'Content-Type': 'application/json;charset=utf-8' });
    res.end(reply.raw);
  } else if (reply.json !== undefined) {
    const body = JSON.stringify(reply.json);
    res.writeHead(reply.status, { 'Content-Type': 'application/json' });
    res.end(body);
  } else {
    res.writeHead(reply.status);
    res.end();
  }
}

function sendError(res: ServerResponse, err: ApiError): void {
  // Toxiproxy writes errors with http.Error: JSON text plus a newline.
  res.writeHead(err.status, { 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff' });
  res.end(`${JSON.stringify(err.toJSON())}\n`);
}

/** The body, or why there is none: over the limit, or the client went away before sending all of it. */
function readBody(req: IncomingMessage): Promise<Buffer | 'too-large' | 'aborted'> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) return resolve('too-large');
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (b: Buffer) => {
      size += b.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        req.pause();
        resolve('too-large');
        return;
      }
      parts.push(b);
    });
    req.on('end', () => resolve(Buffer.concat(parts)));
    // Node reports a client gone mid-body as an 'aborted' error (ECONNRESET):
    // the client's doing, not the server's, so it is no internal error.
    req.on('error', () => resolve('aborted'));
    req.on('close', () => {
      if (!req.complete) resolve('aborted');
    });
  });
}

function parseJson(text: string): unknown {
  if (text.trim() === '') throw ErrBadRequestBody.with('EOF');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw ErrBadRequestBody.with((e as Error).message);
  }
}

export async function startToxiproxyServer(options: ToxiproxyServerOptions = {}): Promise<ToxiproxyServer> {
  const host = options.host ?? '127.0.0.1';
  const onError =
    options.onError ??
    ((err: unknown) =>
      process.stderr.write(`toxiproxy: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`));
  const env: ProxyEnv = {
    clock: options.clock ?? realClock,
    random: options.random ?? Math.random,
    log: options.log ?? (() => {}),
    fail: onError,
  };
  const proxies = new ProxyCollection(env);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if ((req.headers['user-agent'] ?? '').startsWith('Mozilla/')) {
      // Toxiproxy's guard: a web page must not drive a proxy on localhost.
      res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
      res.end('User agent not allowed\n');
      req.resume();
      return;
    }
    const segments = pathSegments(req.url ?? '/');
    if (segments === undefined) {
      res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
      res.end('400 Bad Request');
      return;
    }
    const found = match(req.method ?? 'GET', segments);
    if (found.kind !== 'found') {
      req.resume();
      if (found.kind === 'not-found') {
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
        res.end(NOT_FOUND);
      } else {
        res.writeHead(405);
        res.end();
      }
      return;
    }
    const raw = await readBody(req);
    if (raw === 'aborted') {
      env.log(`api: ${req.method} ${req.url}: the client closed the connection before sending the whole body`);
      res.destroy();
      return;
    }
    if (raw === 'too-large') {
      // Stop reading: answer and drop the connection rather than swallow the rest.
      res.writeHead(413, { 'Content-Type': 'application/json', Connection: 'close' });
      res.end(`${JSON.stringify({ error: `bad request body: larger than ${MAX_BODY_BYTES} bytes`, status: 413 })}\n`);
      return;
    }
    const text = raw.toString('utf8');
    let parsed: { value: unknown } | undefined;
    const body = () => {
      parsed ??= { value: parseJson(text) };
      return parsed.value;
    };
    try {
      send(res, await found.route.handler(proxies, { params: found.params, body }));
    } catch (err) {
      if (err instanceof ApiError) sendError(res, err);
      else {
        onError(err);
        sendError(res, new ApiError(err instanceof Error ? err.message : String(err), 500));
      }
    }
  };

  const sockets = new Set<Socket>();
  const server = http.createServer({ requestTimeout: 30_000, headersTimeout: 15_000 }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      onError(err);
      if (!res.headersSent) sendError(res, new ApiError(String(err), 500));
      else res.destroy();
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  server.on('connect', (req: IncomingMessage, socket: Socket) => {
    // Node's parser hands CONNECT over as a raw socket; answer it as
    // Toxiproxy's router does (a host:port target has the empty path, which
    // it redirects to "/"), then close, since the parser has let go of it.
    socket.on('error', () => {});
    const target = req.url ?? '';
    let status: string;
    let body = '';
    if (!target.startsWith('/')) status = `301 Moved Permanently\r\nLocation: //${target}/`;
    else {
      const segments = pathSegments(target);
      const found = segments === undefined ? undefined : match('CONNECT', segments).kind;
      if (found === undefined) status = '400 Bad Request';
      else if (found === 'not-found') {
        status = '404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nX-Content-Type-Options: nosniff';
        body = NOT_FOUND;
      } else status = '405 Method Not Allowed';
    }
    socket.end(`HTTP/${req.httpVersion} ${status}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: options.port ?? 0, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => onError(err));
  const port = (server.address() as { port: number }).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    host,
    proxies,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((r) => server.close(() => r()));
        for (const s of sockets) s.destroy();
        await proxies.close();
        await stopped;
      })();
      return closing;
    },
  };
}
