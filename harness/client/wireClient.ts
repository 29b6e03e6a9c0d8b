// The built-in client driver: the client wire protocol (one JSON object per
// line over TCP, Maelstrom lin-kv bodies) as a ClientConnection. The engine
// decides where the bytes go (a proxy's address for real processes); this
// file decides what an operation looks like on the wire and how each reply
// is recorded.
import type { ClientConnection } from '../engine/cluster.ts';
import { classify, requestBody, type RegisterOp } from '../workloads/register.ts';
import { WireConnection, type Envelope } from './wireConnection.ts';

/** `envelope`: address requests Maelstrom-style (a Maelstrom node behind the link); replies are read either way. */
export async function openWireClient(host: string, port: number, timeoutMs: number, envelope?: Envelope): Promise<ClientConnection | { error: string }> {
  const conn = await WireConnection.open(host, port, timeoutMs, envelope);
  if ('error' in conn) return conn;
  return {
    invoke: async (op: RegisterOp, opTimeoutMs: number) => classify(op, await conn.request(requestBody(op), opTimeoutMs)),
    get closed() {
      return conn.closed;
    },
    close: () => conn.close(),
  };
}
