// A client driver for Redis (harness/client/driver.ts) on node-redis
// (@redis/client), the maintained client library. A connection is one
// client bound to one node, as in Jepsen: it reads from that node and sends
// writes there too, so a write to a replica is refused (READONLY).
//
// read = GET, write = SET, cas = a Lua script that compares and sets
// atomically on the node (Redis runs a script alone). Values are stored as
// JSON text, so the numbers the workload writes read back as numbers. With
// `"options": {"masterOnly": true}` a read is ROLE and GET in one MULTI, and
// counts only if the node said it was the master: a replica's stale copy is
// then never read, and what remains to be caught is a split brain.
//
// What counts as definite: an error reply (READONLY, LOADING, ...) means
// Redis did not execute the command: fail. So does a command the client
// refused to send (not connected). A read has no effect, so a read that
// failed in any way is fail. A write with no answer (timeout, connection
// lost) may have been executed: info.
import { ClientClosedError, ClientOfflineError, createClient, ErrorReply } from '@redis/client';
import type { ClientDriver, DriverOp, DriverResult, DriverTarget } from '../../harness/client/driver.ts';

const CAS = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2]) return 1 else return 0 end`;

function makeClient(target: DriverTarget, timeoutMs: number) {
  return createClient({
    socket: { host: target.host, port: target.port, connectTimeout: timeoutMs, reconnectStrategy: false },
    // Fail at once while disconnected instead of queueing for a reconnection that never comes.
    disableOfflineQueue: true,
    // CLIENT SETINFO is Redis 7.2; Debian's 7.0 would refuse it.
    disableClientInfo: true,
  });
}

type Client = ReturnType<typeof makeClient>;

class RedisConnection {
  private gone = false;

  constructor(
    private readonly client: Client,
    private readonly masterOnly: boolean,
  ) {
    // A dropped connection is not reopened behind the harness's back: it opens a fresh one.
    client.on('end', () => (this.gone = true));
  }

  get closed(): boolean {
    return this.gone || !this.client.isReady;
  }

  async invoke(op: DriverOp, timeoutMs: number): Promise<DriverResult> {
    const key = String(op.key);
    if (!this.client.isReady) return { type: 'fail', error: 'not sent: not connected' };
    let timer: NodeJS.Timeout | undefined;
    // Give up a little before the harness does, so a read that timed out is still the fail it is.
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), Math.max(100, timeoutMs - 200))));
    try {
      const call = async (): Promise<DriverResult> => {
        if (op.f === 'read' && this.masterOnly) {
          // One transaction: no failover can come between the answer to ROLE and the one to GET.
          const [reply, v] = (await this.client.multi().role().get(key).exec()) as unknown as [{ role?: unknown }, unknown];
          // node-redis parses ROLE into {role: 'master' | 'slave' | 'sentinel', ...}.
          if (reply.role !== 'master') return { type: 'fail', error: `not the master (${String(reply.role)})` };
          return { type: 'ok', value: v === null ? null : JSON.parse(String(v)) };
        }
        if (op.f === 'read') {
          const v = await this.client.get(key);
          return { type: 'ok', value: v === null ? null : JSON.parse(String(v)) };
        }
        if (op.f === 'write') {
          await this.client.set(key, JSON.stringify(op.value));
          return { type: 'ok' };
        }
        const [from, to] = op.value as [unknown, unknown];
        const swapped = await this.client.eval(CAS, { keys: [key], arguments: [JSON.stringify(from), JSON.stringify(to)] });
        return swapped === 1 ? { type: 'ok' } : { type: 'fail', error: 'precondition-failed' };
      };
      return await Promise.race([call(), timeout]);
    } catch (err) {
      const e = err as Error;
      if (e.message === 'timeout') this.gone = true; // its late reply would arrive on a connection nobody waits on
      if (op.f === 'read' || err instanceof ErrorReply || err instanceof ClientClosedError || err instanceof ClientOfflineError) {
        // An error reply, or a command the client never sent: nothing was executed.
        return { type: 'fail', error: e.message };
      }
      return { type: 'info', error: e.message };
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    this.gone = true;
    this.client.destroy();
  }
}

const driver: ClientDriver = {
  async open(target: DriverTarget, timeoutMs: number) {
    const client = makeClient(target, timeoutMs);
    // node-redis emits socket errors as events; the operation that meets one reports it.
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (err) {
      client.destroy();
      throw err;
    }
    return new RedisConnection(client, target.options.masterOnly === true);
  },
};
export default driver;
