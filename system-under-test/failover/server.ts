// failover: a server applies any operation a coordinator sends it, forwards
// it to the other server, and answers once the other acknowledges (or after a
// short wait: the other may be down, and this design does not care). Either
// server acts as primary for whoever talks to it, which is exactly how two
// primaries arise after a coordinator fails over during a partition.
import type { Body, Env, Node } from '../runtime/env.ts';
import { Rpc } from '../runtime/rpc.ts';
import { applyOp, type Op, type Value } from '../runtime/protocol.ts';

export const FORWARD_TIMEOUT_MS = 300;

export class FailoverServer implements Node {
  readonly data = new Map<string, Value>();
  private readonly rpc: Rpc;

  constructor(private readonly env: Env) {
    this.rpc = new Rpc(env);
  }

  receive(from: string, body: Body): void {
    if (this.rpc.handleReply(body)) return;
    if (body.type === 'replicate') {
      applyOp(this.data, body.op as Op);
      this.env.send(from, { type: 'replicate_ok', in_reply_to: body.msg_id });
    } else if (body.type === 'apply') {
      const op = body.op as Op;
      const outcome = applyOp(this.data, op);
      const reply = () => this.env.send(from, { type: 'apply_ok', in_reply_to: body.msg_id, outcome });
      if (op.f === 'read' || this.env.peers.length === 0) return reply();
      let waiting = this.env.peers.length;
      for (const other of this.env.peers) {
        this.rpc.call(other, { type: 'replicate', op }, FORWARD_TIMEOUT_MS, () => {
          if (--waiting === 0) reply();
        });
      }
    }
  }
}
