// The built-in client driver: the client wire protocol (one JSON object per
// line over TCP, Maelstrom lin-kv bodies). The engine decides where the bytes
// go (a proxy's address for real processes); this file decides what an
// operation looks like on the wire and how each reply is recorded. With an
// envelope per connection it is the Maelstrom protocol's driver too.
import type { ClientConnection } from '../engine/cluster.ts';
import { classify, requestBody } from '../workloads/register.ts';
import { openDriverConnection, type ClientDriver } from './driver.ts';
import { WireConnection, type Envelope } from './wireConnection.ts';

/**
 * `envelopeFor`: address each connection's requests Maelstrom-style (a
 * Maelstrom node behind the link, one client id per connection); replies
 * are read either way.
 */
export function wireDriver(envelopeFor?: (node: string) => Envelope): ClientDriver {
  return {
    async open(target, timeoutMs) {
      const conn = await WireConnection.open(target.host, target.port, timeoutMs, envelopeFor?.(target.node));
      if ('error' in conn) throw new Error(conn.error);
      return {
        invoke: async (op, opTimeoutMs) => classify(op, await conn.request(requestBody(op), opTimeoutMs)),
        get closed() {
          return conn.closed;
        },
        close: () => conn.close(),
      };
    },
  };
}

/** One wire-protocol connection to host:port (tests and tools that have an address, not a cluster). */
export function openWireClient(host: string, port: number, timeoutMs: number, envelope?: Envelope): Promise<ClientConnection | { error: string }> {
  return openDriverConnection(wireDriver(envelope && (() => envelope)), { node: '', host, port, ports: {}, options: {} }, timeoutMs);
}
