// A coordinator of the view-server design: the clerk of 6.824 lab 2. It asks
// the view service for the view (with a replicated service, the replica its
// locator names), caches it, and sends each client operation to
// the cached primary tagged with (client id, sequence number). It resends the
// operation under that same identity to whoever is primary until it gets an
// answer or a deadline passes; the servers' duplicate table makes the resends
// at-most-once. At the deadline it answers 11 (definite) only when no attempt
// can have taken effect, and 0 (timeout, indefinite) otherwise: it never
// retries an unknown write under a new identity.
import type { Body, Env, Node, TimerId } from '../runtime/env.ts';
import { Rpc } from '../runtime/rpc.ts';
import { serveClient, type Answer } from '../runtime/service.ts';
import { Errors, errorOutcome, type Op, type Outcome } from '../runtime/protocol.ts';
import { plantedSet, type Planted } from './planted.ts';
import { Locator } from './locator.ts';
import { ATTEMPT_INTERVAL_MS, isView, LOCATE_PATIENCE_MS, NO_VIEW, OPERATION_DEADLINE_MS, primaryAnswer, VIEW_SERVER_ID, type NodeOptions, type View } from './config.ts';

const RETRY_MS = 50;
const VIEW_QUERY_TIMEOUT_MS = 1000;

export class ViewServerCoordinator implements Node {
  view: View = NO_VIEW;
  /** Unique per incarnation, so a restarted coordinator never reuses a (client, seq) pair. */
  readonly clientId: string;
  private seq = 0;
  private refreshing: (() => void)[] | null = null;
  private readonly rpc: Rpc;
  private readonly locator: Locator;
  private readonly planted: Planted;

  constructor(
    private readonly env: Env,
    options: NodeOptions = {},
  ) {
    this.rpc = new Rpc(env);
    this.locator = new Locator(options.viewServers ?? [VIEW_SERVER_ID], () => env.now(), LOCATE_PATIENCE_MS);
    this.planted = options.planted ?? plantedSet();
    this.clientId = `${env.id}-${Math.floor(env.random() * 2 ** 32).toString(36)}`;
    this.refresh();
  }

  receive(from: string, body: Body): void {
    if (this.rpc.handleReply(body)) return;
    if (body.type === 'primary') {
      // A harness may ask a coordinator (it stays reachable whichever view-service replica is
      // lost): answer with a fresh view when the service answers in time, the cached one otherwise.
      this.refresh(() => this.env.send(from, primaryAnswer(body, this.view)));
      return;
    }
    serveClient(this.env, from, body, (op, answer) => this.run(op, answer));
  }

  /** Asks the view service for the view; `then` runs once the answer (or silence) is in. */
  refresh(then?: () => void): void {
    if (this.refreshing !== null) {
      if (then) this.refreshing.push(then);
      return;
    }
    this.refreshing = then ? [then] : [];
    const to = this.locator.target();
    this.rpc.call(to, { type: 'primary' }, VIEW_QUERY_TIMEOUT_MS, (reply) => {
      if (reply !== null) this.locator.heard(to, reply.leader);
      const view = reply?.type === 'primary_ok' ? { viewnum: reply.view, primary: reply.primary, backups: reply.backups } : null;
      if (isView(view) && view.viewnum >= this.view.viewnum) this.view = view;
      const waiting = this.refreshing ?? [];
      this.refreshing = null;
      for (const w of waiting) w();
    });
  }

  /**
   * Runs one client operation: attempts go to the cached primary at once, again
   * after an 11 or 13 (with a fresh view), and again every ATTEMPT_INTERVAL_MS
   * without an answer. All attempts carry the same (client, seq), and an answer
   * to any of them, however late, settles the operation.
   */
  private run(op: Op, answer: Answer): void {
    let seq = ++this.seq;
    const deadline = this.env.now() + OPERATION_DEADLINE_MS;
    /** Per attempt: could it have taken effect? Only an 11 answer says no. */
    const attempts: { mayHaveHappened: boolean }[] = [];
    let finished = false;
    let lastError = 'no primary known';
    let nextAttempt: TimerId | null = null;

    const finish = (outcome: Outcome) => {
      if (finished) return;
      finished = true;
      if (nextAttempt !== null) this.env.cancelTimer(nextAttempt);
      this.env.cancelTimer(deadlineTimer);
      answer(outcome);
    };
    const giveUp = () => {
      // A read changes nothing, so a failed read is always definite.
      if (op.f !== 'read' && attempts.some((a) => a.mayHaveHappened)) {
        finish(errorOutcome(Errors.timeout, `no answer in ${OPERATION_DEADLINE_MS} ms (${lastError}); the ${op.f} may have happened`));
      } else {
        finish(errorOutcome(Errors.temporarilyUnavailable, `not executed: ${lastError}`));
      }
    };
    const schedule = (ms: number, refreshFirst: boolean) => {
      if (finished) return;
      if (nextAttempt !== null) this.env.cancelTimer(nextAttempt);
      nextAttempt = this.env.setTimer(ms, () => {
        nextAttempt = null;
        if (refreshFirst) this.refresh(attempt);
        else attempt();
      });
    };
    const attempt = () => {
      if (finished) return;
      const primary = this.view.primary;
      if (primary === null) return schedule(RETRY_MS + Math.floor(this.env.random() * RETRY_MS), true);
      if (this.planted.retryNewIdentity && attempts.length > 0) seq = ++this.seq;
      const record = { mayHaveHappened: true };
      attempts.push(record);
      this.rpc.call(primary, { type: 'kv', op, client: this.clientId, seq }, OPERATION_DEADLINE_MS, (reply) => {
        if (finished || reply === null) return;
        const outcome = reply.type === 'kv_reply' ? (reply.outcome as Outcome) : null;
        if (outcome === null) return;
        if (outcome.type === 'error' && (outcome.code === Errors.temporarilyUnavailable.code || outcome.code === Errors.crash.code)) {
          record.mayHaveHappened = outcome.code === Errors.crash.code;
          lastError = `${primary}: ${outcome.text}`;
          schedule(RETRY_MS + Math.floor(this.env.random() * RETRY_MS), true);
          return;
        }
        finish(outcome);
      });
      lastError = `${primary} did not answer`;
      schedule(ATTEMPT_INTERVAL_MS, true);
    };
    const deadlineTimer = this.env.setTimer(OPERATION_DEADLINE_MS, giveUp);
    attempt();
  }
}
