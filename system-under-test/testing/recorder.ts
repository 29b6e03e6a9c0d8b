// Records what test clients did as intervals for checkLinearizable, choosing
// ok / fail / info from the error registry exactly as the harness will.
import { performance } from 'node:perf_hooks';
import type { Body } from '../runtime/env.ts';
import { errorRegistry, type Value } from '../runtime/protocol.ts';
import type { TestClient } from './client.ts';
import type { RecordedOp } from './linearizability.ts';

export type Invocation = { f: 'read'; key: string } | { f: 'write'; key: string; value: Value } | { f: 'cas'; key: string; from: Value; to: Value };

export class Recorder {
  readonly ops: RecordedOp[] = [];
  private readonly t0 = performance.now();

  async run(client: TestClient, process: number, inv: Invocation, timeoutMs = 5000): Promise<RecordedOp> {
    const call = performance.now() - this.t0;
    const request: Omit<Body, 'msg_id'> =
      inv.f === 'read'
        ? { type: 'read', key: inv.key }
        : inv.f === 'write'
          ? { type: 'write', key: inv.key, value: inv.value }
          : { type: 'cas', key: inv.key, from: inv.from, to: inv.to };
    const reply = await client.request(request, timeoutMs);
    const ret = performance.now() - this.t0;
    const input: RecordedOp['input'] = inv.f === 'read' ? null : inv.f === 'write' ? inv.value : [inv.from, inv.to];
    const op: RecordedOp = { process, f: inv.f, key: inv.key, input, output: null, status: 'info', call, return: ret };
    if (reply !== null && reply.type !== 'error') {
      op.status = 'ok';
      if (inv.f === 'read') op.output = (reply.value as Value) ?? null;
    } else if (reply !== null && inv.f === 'read' && reply.code === 20) {
      op.status = 'ok';
    } else if (reply !== null && errorRegistry.find((e) => e.code === reply.code)?.definite) {
      op.status = 'fail';
    }
    this.ops.push(op);
    return op;
  }

  count(status: RecordedOp['status']): number {
    return this.ops.filter((o) => o.status === status).length;
  }
}
