// A client driver for etcd 3.4 (harness/client/driver.ts), through etcd's
// documented JSON gateway (POST /v3/kv/range, /v3/kv/put, /v3/kv/txn; keys and
// values base64): no protocol of our own, and no library beyond node:http.
// Each connection is one keep-alive HTTP connection to one member.
//
// Reads are linearizable (etcd's default) unless the definition says
// `"options": {"reads": "serializable"}`: then any member answers from its
// own state, which is what Jepsen's 2020 analysis of etcd 3.4.3 found stale.
//
// What counts as definite: a read has no effect, so a read that failed in
// any way is `fail`; a put or txn that got no answer may have been applied
// (etcd may commit it after the client gave up), so it is `info`, unless etcd
// answered that the request itself was invalid. A txn whose compare did not
// hold is `fail` with `precondition-failed`.
import { Agent, request } from 'node:http';
import type { ClientDriver, DriverOp, DriverResult, DriverTarget } from '../../harness/client/driver.ts';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
/** Values are stored as JSON text, so the numbers the workload writes read back as numbers. */
const encode = (v: unknown) => b64(JSON.stringify(v));

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

class EtcdConnection {
  // One socket at a time: the connection Jepsen's process discipline expects, closed with it.
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  private readonly serializable: boolean;

  constructor(private readonly target: DriverTarget) {
    this.serializable = target.options.reads === 'serializable';
  }

  async invoke(op: DriverOp, timeoutMs: number): Promise<DriverResult> {
    // Give up a little before the harness does, so a read that timed out is still reported as the fail it is.
    const budget = Math.max(100, timeoutMs - 200);
    const key = b64(String(op.key));
    try {
      if (op.f === 'read') {
        const r = await this.post('/v3/kv/range', { key, ...(this.serializable ? { serializable: true } : {}) }, budget);
        if (r.status !== 200) return { type: 'fail', error: describe(r) };
        const kvs = r.body.kvs as Array<{ value?: string }> | undefined;
        // A key never written has no kvs; a key written with an empty value has none either, and the workload never writes one.
        if (kvs === undefined || kvs.length === 0) return { type: 'ok', value: null };
        return { type: 'ok', value: JSON.parse(Buffer.from(kvs[0].value ?? '', 'base64').toString('utf8')) };
      }
      if (op.f === 'write') {
        const r = await this.post('/v3/kv/put', { key, value: encode(op.value) }, budget);
        return r.status === 200 ? { type: 'ok' } : notApplied(r);
      }
      const [from, to] = op.value as [unknown, unknown];
      const r = await this.post(
        '/v3/kv/txn',
        { compare: [{ key, target: 'VALUE', result: 'EQUAL', value: encode(from) }], success: [{ requestPut: { key, value: encode(to) } }] },
        budget,
      );
      if (r.status !== 200) return notApplied(r);
      return r.body.succeeded === true ? { type: 'ok' } : { type: 'fail', error: 'precondition-failed' };
    } catch (err) {
      const error = (err as Error).message;
      return op.f === 'read' ? { type: 'fail', error } : { type: 'info', error };
    }
  }

  private post(path: string, body: object, timeoutMs: number): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const payload = JSON.stringify(body);
      const req = request(
        { host: this.target.host, port: this.target.port, path, method: 'POST', agent: this.agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => {
            try {
              resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> });
            } catch {
              reject(new Error(`HTTP ${res.statusCode}: not JSON: ${text.slice(0, 80)}`));
            }
          });
          res.on('error', reject);
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

function describe(r: Reply): string {
  return `HTTP ${r.status}: ${String(r.body.message ?? r.body.error ?? JSON.stringify(r.body))}`;
}

/** gRPC's INVALID_ARGUMENT (3): etcd refused the request as written, so it was not applied. Anything else may have been. */
function notApplied(r: Reply): DriverResult {
  return r.body.code === 3 ? { type: 'fail', error: describe(r) } : { type: 'info', error: describe(r) };
}

const driver: ClientDriver = {
  async open(target) {
    return new EtcdConnection(target);
  },
};
export default driver;
