// naive: a replica is a bare key-value map. It applies whatever a coordinator
// sends, in arrival order; nothing orders concurrent writes across replicas.
import type { Body, Env, Node } from '../runtime/env.ts';
import { applyOp, type Op } from '../runtime/protocol.ts';
import type { Value } from '../runtime/protocol.ts';

export class NaiveReplica implements Node {
  readonly data = new Map<string, Value>();
  constructor(private readonly env: Env) {}

  receive(from: string, body: Body): void {
    if (body.type !== 'apply') return;
    const outcome = applyOp(this.data, body.op as Op);
    this.env.send(from, { type: 'apply_ok', in_reply_to: body.msg_id, outcome });
  }
}
