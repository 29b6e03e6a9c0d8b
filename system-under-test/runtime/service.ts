// The client-facing half every coordinator shares: parse a request body,
// answer malformed ones, and reply exactly once.
import type { Body, Env } from './env.ts';
import { Errors, errorOutcome, parseOp, replyBody, type Op, type Outcome } from './protocol.ts';

export type Answer = (outcome: Outcome) => void;

/**
 * Handles a client request body: calls `run(op, answer)` for a well-formed one,
 * answers a malformed one itself. `answer` replies once; later calls are ignored.
 */
export function serveClient(env: Env, from: string, body: Body, run: (op: Op, answer: Answer) => void): void {
  let answered = false;
  const answer: Answer = (outcome) => {
    if (answered) return;
    answered = true;
    env.send(from, replyBody(body.msg_id, outcome));
  };
  const op = parseOp(body);
  if (typeof op === 'string') {
    answer(errorOutcome(Errors.malformedRequest, op));
    return;
  }
  run(op, answer);
}
