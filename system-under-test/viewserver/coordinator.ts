// A coordinator of the view-server design: the clerk of 6.824 lab 2. It asks
// the view server for the view, caches it, and sends each client operation to
// the cached primary tagged with (client id, sequence number). It resends the
// operation under that same identity to whoever is primary until it gets an
// answer or a deadline passes; the servers' duplicate table makes the resends
// at-most-once. At the deadline it answers 11 (definite) only when no attempt
// can have taken effect, and 0 (timeout, indefinite) otherwise: it never
// retries an unknown write under a new identity.
import type { Body, Env, Node } from '../runtime/env.ts';
import { Rpc } from '../runtime/rpc.ts';
import { serveClient, type Answer } from '../runtime/service.ts';
import { Errors, errorOutcome, type Op, type Outcome } from '../runtime/protocol.ts';
import { ATTEMPT_TIMEOUT_MS, NO_VIEW, OPERATION_DEADLINE_MS, PING_INTERVAL_MS, VIEW_SERVER_ID, type View } from './config.ts';

const RETRY_MS = 50;

export class ViewServerCoordinator implements Node {
  view: View = NO_VIEW;
  /** Unique per incarnation, so a restarted coordinator never reuses a (client, seq) pair. */
  readonly clientId: string;
  private seq = 0;
  private refreshing: (() => void)[] | null = null;
  private readonly rpc: Rpc;

  constructor(private readonly env: Env) {
    this.rpc = new Rpc(env);
    this.clientId = `${env.id}-${Math.floor(env.random() * 2 ** 32).toString(36)}`;
    this.refresh();
  }

  receive(from: string, body: Body): void {
    if (this.rpc.handleReply(body)) return;
    if (body.type === 'primary') {
      // Let a harness asking a coordinator learn the cached view too.
      this.env.send(from, { type: 'primary_ok', in_reply_to: body.msg_id, primary: this.view.primary, backup: this.view.backup, view: this.view.viewnum });
      return;
    }
    serveClient(this.env, from, body, (op, answer) => this.run(op, answer));
  }

  /** Asks the view server for the view; `then` runs once the answer (or silence) is in. */
  refresh(then?: () => void): void {
    if (this.refreshing !== null) {
      if (then) this.refreshing.push(then);
      return;
    }
    this.refreshing = then ? [then] : [];
    this.rpc.call(VIEW_SERVER_ID, { type: 'primary' }, PING_INTERVAL_MS * 3, (reply) => {
      if (reply?.type === 'primary_ok' && typeof reply.view === 'number' && reply.view >= this.view.viewnum) {
        this.view = { viewnum: reply.view, primary: (reply.primary as string | null) ?? null, backup: (reply.backup as string | null) ?? null };
      }
      const waiting = this.refreshing ?? [];
      this.refreshing = null;
      for (const w of waiting) w();
    });
  }

  private run(op: Op, answer: Answer): void {
    const seq = ++this.seq;
    const deadline = this.env.now() + OPERATION_DEADLINE_MS;
    let mayHaveHappened = false;
    let lastError = 'no primary';

    const retry = () => this.env.setTimer(RETRY_MS + Math.floor(this.env.random() * RETRY_MS), attempt);
    const attempt = () => {
      if (this.env.now() >= deadline) {
        // A read changes nothing, so a failed read is always definite.
        if (mayHaveHappened && op.f !== 'read') answer(errorOutcome(Errors.timeout, `no answer in ${OPERATION_DEADLINE_MS} ms (${lastError}); the ${op.f} may have happened`));
        else answer(errorOutcome(Errors.temporarilyUnavailable, `not executed: ${lastError}`));
        return;
      }
      const primary = this.view.primary;
      if (primary === null) return this.refresh(retry);
      this.rpc.call(primary, { type: 'kv', op, client: this.clientId, seq }, ATTEMPT_TIMEOUT_MS, (reply) => {
        const outcome = reply?.type === 'kv_reply' ? (reply.outcome as Outcome) : null;
        if (outcome === null) {
          mayHaveHappened = true;
          lastError = `${primary} did not answer`;
        } else if (outcome.type === 'error' && outcome.code === Errors.temporarilyUnavailable.code) {
          lastError = `${primary}: ${outcome.text}`;
        } else if (outcome.type === 'error' && outcome.code === Errors.crash.code) {
          mayHaveHappened = true;
          lastError = `${primary}: ${outcome.text}`;
        } else {
          return answer(outcome);
        }
        this.refresh(retry);
      });
    };
    attempt();
  }
}
