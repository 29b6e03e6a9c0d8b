// failover: a coordinator sends everything to its primary (s1, the first
// server by id). When the primary does not answer in time it switches to the
// other server and treats that one as primary from then on, without asking
// anybody: under a partition each coordinator can end up with a different
// primary.
import type { Body, Env, Node } from '../runtime/env.ts';
import { Rpc } from '../runtime/rpc.ts';
import { serveClient } from '../runtime/service.ts';
import { Errors, errorOutcome, type Outcome } from '../runtime/protocol.ts';

export const PRIMARY_TIMEOUT_MS = 1000;

export class FailoverCoordinator implements Node {
  private readonly rpc: Rpc;
  private readonly servers: string[];
  current: string;

  constructor(private readonly env: Env) {
    this.rpc = new Rpc(env);
    this.servers = [...env.peers].sort();
    this.current = this.servers[0];
  }

  receive(from: string, body: Body): void {
    if (this.rpc.handleReply(body)) return;
    serveClient(this.env, from, body, (op, answer) => {
      const target = this.current;
      this.rpc.call(target, { type: 'apply', op }, PRIMARY_TIMEOUT_MS, (reply) => {
        if (reply !== null) return answer(reply.outcome as Outcome);
        if (this.current === target) {
          const next = this.servers.find((s) => s !== target);
          if (next !== undefined) {
            this.current = next;
            this.env.log(`${target} did not answer in ${PRIMARY_TIMEOUT_MS} ms; ${next} is primary from now on`);
          }
        }
        answer(
          op.f === 'read'
            ? errorOutcome(Errors.temporarilyUnavailable, `${target} did not answer`)
            : errorOutcome(Errors.timeout, `${target} did not answer; the ${op.f} may have happened`),
        );
      });
    });
  }
}
