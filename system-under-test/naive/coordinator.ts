// naive: a coordinator sends every write and cas to both replicas at once and
// answers when both have acknowledged; a read asks one replica, chosen at
// random. Two concurrent writes can reach the replicas in opposite orders,
// after which the replicas disagree for good: the anomaly this design exists
// to show.
import type { Body, Env, Node } from '../runtime/env.ts';
import { Rpc } from '../runtime/rpc.ts';
import { serveClient } from '../runtime/service.ts';
import { Errors, errorOutcome, type Outcome } from '../runtime/protocol.ts';

export const REPLICA_TIMEOUT_MS = 1000;

export class NaiveCoordinator implements Node {
  private readonly rpc: Rpc;
  private readonly replicas: string[];

  constructor(private readonly env: Env) {
    this.rpc = new Rpc(env);
    this.replicas = [...env.peers].sort();
  }

  receive(from: string, body: Body): void {
    if (this.rpc.handleReply(body)) return;
    serveClient(this.env, from, body, (op, answer) => {
      if (op.f === 'read') {
        const replica = this.replicas[Math.floor(this.env.random() * this.replicas.length)];
        this.rpc.call(replica, { type: 'apply', op }, REPLICA_TIMEOUT_MS, (reply) => {
          // A read that got no answer changed nothing: a definite failure is honest.
          answer(reply === null ? errorOutcome(Errors.temporarilyUnavailable, `${replica} did not answer`) : (reply.outcome as Outcome));
        });
        return;
      }
      const outcomes: (Outcome | null)[] = [];
      for (const replica of this.replicas) {
        this.rpc.call(replica, { type: 'apply', op }, REPLICA_TIMEOUT_MS, (reply) => {
          outcomes.push(reply === null ? null : (reply.outcome as Outcome));
          if (outcomes.length === this.replicas.length) answer(combine(outcomes));
        });
      }
    });
  }
}

/** Both replicas agree: that is the answer. Anything else may have half-happened: indefinite. */
function combine(outcomes: (Outcome | null)[]): Outcome {
  if (outcomes.some((o) => o === null)) return errorOutcome(Errors.timeout, 'a replica did not answer');
  const first = JSON.stringify(outcomes[0]);
  if (outcomes.every((o) => JSON.stringify(o) === first)) return outcomes[0]!;
  return errorOutcome(Errors.crash, `replicas disagree: ${outcomes.map((o) => JSON.stringify(o)).join(' vs ')}`);
}
