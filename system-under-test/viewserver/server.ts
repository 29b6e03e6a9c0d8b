// A primary/backup key-value server of 6.824 lab 2 (2015), with reads, writes
// and cas. A view has one backup by default; with more (the view service's
// `backups` setting) every statement about "the backup" below holds for each
// of them, and the primary waits for all.
//
// Why it is linearizable (the invariants the code keeps):
// 1. A primary applies an operation, reads included, only after every backup
//    of the same view has applied it; until then nothing changes locally. So
//    an operation committed by the primary of view n is in every backup of n.
// 2. A backup applies a forward only if it carries the backup's current view
//    number, comes from that view's primary, and the backup holds that
//    primary's transferred state for that view. Once it has seen view n+1 it
//    refuses view n's primary for good: a replaced primary (partitioned,
//    paused) can no longer commit anything, not even a read, so it answers an
//    error instead of stale data.
// 3. Operations on one key are forwarded one at a time, and a forward is
//    resent unchanged until acknowledged or until the view changes; the
//    backup de-duplicates writes and cas by (client id, sequence number), so
//    primary and backup apply the same sequence per key.
// 4. On a view change every pending operation is abandoned (answered 13 if it
//    was ever forwarded, 11 if not) and a primary with a new backup transfers
//    its whole state (data and duplicate table) before serving and before
//    acknowledging the view to the view server; the view server does not move
//    on until it has that acknowledgement, so a backup is promoted only with
//    the complete state.
// 5. A server takes the primary role of view v only when its state is current
//    as of view v-1 (it was v-1's ready primary or synced backup), or it was
//    the complete primary of the view it held before (the service skips an
//    unacknowledged view only keeping its primary), or v is the first view. A
//    restarted server (empty) never qualifies: it pings 0 and the service
//    waits rather than crowning it.
import type { Body, Env, Node } from '../runtime/env.ts';
import { Rpc } from '../runtime/rpc.ts';
import { applyOp, Errors, errorOutcome, type Op, type Outcome, type Value } from '../runtime/protocol.ts';
import { Locator } from './locator.ts';
import { plantedSet, type Planted } from './planted.ts';
import {
  isView,
  LOCATE_PATIENCE_MS,
  NO_VIEW,
  PING_INTERVAL_MS,
  REPLY_PATIENCE_MS,
  RESEND_MAX_MS,
  RESEND_MS,
  UNREACHABLE_MS,
  VIEW_SERVER_ID,
  type NodeOptions,
  type View,
} from './config.ts';


interface Requester {
  from: string;
  msgId: number | undefined;
}

interface PendingOp {
  op: Op;
  /** "client:seq" for writes and cas (the duplicate-table key); null for reads. */
  opId: string | null;
  viewnum: number;
  requesters: Requester[];
  started: boolean;
  forwarded: boolean;
  done: boolean;
}

export class ViewServerReplica implements Node {
  view: View = NO_VIEW;
  readonly data = new Map<string, Value>();
  readonly dups = new Map<string, Outcome>();
  /** The view in which this server, as primary, finished the state transfer (0: not ready). */
  readyView = 0;
  /** The view whose primary's state this server installed as backup. */
  syncedView = 0;
  /** Highest view as of which this server's state is known complete (ready primary or synced backup). */
  currentThrough = 0;
  /** The view in which this server is the primary with a complete state (ready or still transferring); 0: none. */
  leading = 0;
  /** Per backup: since when a forward or transfer to it has gone unanswered (absent: it answers). */
  private readonly backupSilentSince = new Map<string, number>();
  private readonly queues = new Map<string, PendingOp[]>();
  private readonly byOpId = new Map<string, PendingOp>();
  private readonly rpc: Rpc;
  private readonly locator: Locator;
  private readonly planted: Planted;

  /** Tells the view service this process from an earlier one of the same server (a restart). */
  private readonly incarnation: string;

  constructor(
    private readonly env: Env,
    options: NodeOptions = {},
  ) {
    this.rpc = new Rpc(env);
    this.locator = new Locator(options.viewServers ?? [VIEW_SERVER_ID], () => env.now(), LOCATE_PATIENCE_MS);
    this.planted = options.planted ?? plantedSet();
    this.incarnation = Math.floor(env.random() * 2 ** 32).toString(36);
    const ping = () => {
      this.ping();
      env.setTimer(PING_INTERVAL_MS, ping);
    };
    ping();
  }

  /** The number this server reports to the view service (6.824's Ping(viewnum)). */
  pingViewnum(): number {
    const v = this.view;
    if (v.primary !== this.env.id) return v.viewnum;
    if (this.readyView === v.viewnum) return v.viewnum; // acknowledged: ready to serve
    // Deposed (see deposed()): the service is past this view already; report it, not a restart.
    if (this.readyView === 0 && this.currentThrough === v.viewnum) return v.viewnum;
    if (this.leading === v.viewnum) return this.currentThrough; // transfer in progress: not acknowledged yet
    return 0; // uninitialised: the service must treat this primary as restarted
  }

  /** The backups this primary cannot reach (only its own), for the view service. */
  private unreachable(): string[] {
    if (this.view.primary !== this.env.id) return [];
    const now = this.env.now();
    return this.view.backups.filter((b) => {
      const since = this.backupSilentSince.get(b);
      return since !== undefined && now - since >= UNREACHABLE_MS;
    });
  }

  private ping(): void {
    const body = { type: 'ping', viewnum: this.pingViewnum(), unreachable: this.unreachable(), incarnation: this.incarnation };
    const to = this.locator.target();
    this.rpc.call(to, body, REPLY_PATIENCE_MS, (reply) => {
      if (reply === null) return;
      this.locator.heard(to, reply.leader);
      const view = { viewnum: reply.viewnum, primary: reply.primary, backups: reply.backups };
      if (isView(view) && view.viewnum > this.view.viewnum) this.adopt(view);
    });
  }

  /**
   * May this server lead view `v` (its state holds every operation committed
   * before v)? Yes for the first view; yes if its state is current as of v-1
   * (v-1's ready primary or synced backup); and yes if it was the complete
   * primary of the view it held before, because the view service moves past a
   * view its primary has not acknowledged only keeping that primary, so no
   * other server can have served in between.
   */
  private mayLead(v: View): boolean {
    if (v.viewnum === 1) return true;
    if (this.currentThrough > 0 && this.currentThrough === v.viewnum - 1) return true;
    return this.view.primary === this.env.id && this.leading === this.view.viewnum && this.leading > 0;
  }

  private adopt(next: View): void {
    const me = this.env.id;
    this.env.log(`view ${next.viewnum}: primary ${next.primary ?? '-'}, backup${next.backups.length > 1 ? 's' : ''} ${next.backups.join(',') || '-'}`);
    this.abandonAll(`view changed to ${next.viewnum}`);
    // Decide leadership against the state as of the previous view, before anything moves.
    const mayLead = next.primary === me && this.mayLead(next);
    this.view = next;
    this.readyView = 0;
    this.leading = mayLead ? next.viewnum : 0;
    this.backupSilentSince.clear();
    if (next.primary !== me) return;
    if (!mayLead) {
      this.env.log(`named primary of view ${next.viewnum} but my state is not current (through view ${this.currentThrough}); refusing`);
      return;
    }
    if (next.backups.length === 0) this.becomeReady(next.viewnum);
    else this.transfer(next);
  }

  private becomeReady(viewnum: number): void {
    this.readyView = viewnum;
    this.currentThrough = viewnum;
    this.env.log(`primary of view ${viewnum}, serving`);
    this.ping(); // acknowledge promptly
  }

  private transfer(v: View): void {
    // The primary serves nothing until every backup acknowledged the transfer, so every copy carries the same state.
    const state = { data: [...this.data.entries()], dups: [...this.dups.entries()] };
    const waiting = new Set(v.backups);
    for (const backup of v.backups) {
      this.resendUntil(
        () => this.view.viewnum !== v.viewnum || this.readyView === v.viewnum || !waiting.has(backup),
        backup,
        { type: 'transfer', viewnum: v.viewnum, backup, backups: v.backups, ...state },
        (reply) => {
          if (reply.type !== 'transfer_ok') return;
          waiting.delete(backup);
          if (waiting.size === 0) this.becomeReady(v.viewnum);
        },
      );
    }
  }

  /**
   * Sends `body` to `to`, and identical copies with backoff until `settled()`;
   * `onReply` sees the answer to any copy, however late, unless settled by then.
   */
  private resendUntil(settled: () => boolean, to: string, body: Body, onReply: (reply: Body) => void): void {
    let wait = RESEND_MS;
    const sendCopy = () => {
      if (settled()) return;
      if (this.view.backups.includes(to) && !this.backupSilentSince.has(to)) this.backupSilentSince.set(to, this.env.now());
      this.rpc.call(to, body, REPLY_PATIENCE_MS, (reply) => {
        if (reply !== null && this.view.backups.includes(to)) this.backupSilentSince.delete(to); // it answers
        if (reply !== null && !settled()) onReply(reply);
      });
      this.env.setTimer(wait, sendCopy);
      wait = Math.min(wait * 2, RESEND_MAX_MS);
    };
    sendCopy();
  }

  receive(from: string, body: Body): void {
    if (this.rpc.handleReply(body)) return;
    switch (body.type) {
      case 'kv':
        return this.onRequest(from, body);
      case 'forward':
        return this.onForward(from, body);
      case 'transfer':
        return this.onTransfer(from, body);
      case 'dump':
        // For tests and debugging: this server's view of the world, read-only.
        return this.env.send(from, {
          type: 'dump_ok',
          in_reply_to: body.msg_id,
          view: this.view,
          readyView: this.readyView,
          syncedView: this.syncedView,
          data: Object.fromEntries(this.data),
          dups: this.dups.size,
        });
      default:
        if (typeof body.msg_id === 'number') {
          this.env.send(from, { type: 'error', in_reply_to: body.msg_id, code: Errors.notSupported.code, text: `a server does not serve '${body.type}'; talk to a coordinator` });
        }
    }
  }

  // --- backup side ----------------------------------------------------------
  private onTransfer(from: string, body: Body): void {
    const viewnum = body.viewnum as number;
    const reject = (why: string) => this.env.send(from, { type: 'transfer_reject', in_reply_to: body.msg_id, text: why, viewnum: this.view.viewnum });
    if (typeof viewnum !== 'number' || body.backup !== this.env.id) return reject('not the backup named');
    if (viewnum < this.view.viewnum) return reject(`stale view ${viewnum}, I am in ${this.view.viewnum}`);
    const backups = Array.isArray(body.backups) && body.backups.every((b) => typeof b === 'string') ? (body.backups as string[]) : null;
    if (backups === null || !backups.includes(this.env.id)) return reject('not among the backups named');
    if (viewnum === this.view.viewnum) {
      if (this.view.primary !== from || !this.view.backups.includes(this.env.id)) return reject(`view ${viewnum} has a different primary or backups`);
      // A resent or delayed copy: installing it again would roll back forwards applied since.
      if (this.syncedView === viewnum) return this.env.send(from, { type: 'transfer_ok', in_reply_to: body.msg_id });
    } else {
      this.adopt({ viewnum, primary: from, backups });
    }
    this.data.clear();
    for (const [k, v] of body.data as [string, Value][]) this.data.set(k, v);
    this.dups.clear();
    for (const [k, v] of body.dups as [string, Outcome][]) this.dups.set(k, v);
    this.syncedView = viewnum;
    this.currentThrough = viewnum;
    this.env.log(`backup of view ${viewnum}: installed ${this.data.size} keys from ${from}`);
    this.env.send(from, { type: 'transfer_ok', in_reply_to: body.msg_id });
  }

  private onForward(from: string, body: Body): void {
    const v = this.view;
    const me = this.env.id;
    const accepted = this.planted.backupAnyView
      ? this.syncedView > 0
      : body.viewnum === v.viewnum && v.primary === from && v.backups.includes(me) && this.syncedView === v.viewnum;
    if (!accepted) {
      this.env.send(from, { type: 'forward_reject', in_reply_to: body.msg_id, viewnum: v.viewnum, synced: this.syncedView });
      return;
    }
    const op = body.op as Op;
    const opId = typeof body.opId === 'string' ? body.opId : null;
    const outcome = this.execute(op, opId);
    this.env.send(from, { type: 'forward_ok', in_reply_to: body.msg_id, outcome });
  }

  /** Applies an operation once: a write or cas seen before returns its recorded outcome. */
  private execute(op: Op, opId: string | null): Outcome {
    if (opId !== null) {
      const seen = this.dups.get(opId);
      if (seen !== undefined) return seen;
    }
    const outcome = applyOp(this.data, op);
    if (opId !== null && op.f !== 'read') this.dups.set(opId, outcome);
    return outcome;
  }

  // --- primary side ---------------------------------------------------------
  private onRequest(from: string, body: Body): void {
    const requester = { from, msgId: body.msg_id };
    const op = body.op as Op;
    if (this.view.primary !== this.env.id || this.readyView !== this.view.viewnum || this.readyView === 0) {
      const why = this.view.primary === this.env.id ? 'primary not ready' : `not primary (view ${this.view.viewnum}: primary ${this.view.primary ?? '-'})`;
      return this.answer(requester, errorOutcome(Errors.temporarilyUnavailable, why));
    }
    if (this.planted.localReads && op.f === 'read') return this.answer(requester, applyOp(this.data, op));
    const opId = op.f === 'read' ? null : `${String(body.client)}:${String(body.seq)}`;
    if (opId !== null) {
      const seen = this.dups.get(opId);
      if (seen !== undefined) return this.answer(requester, seen);
      const pending = this.byOpId.get(opId);
      if (pending !== undefined) {
        pending.requesters.push(requester);
        return;
      }
    }
    const p: PendingOp = { op, opId, viewnum: this.view.viewnum, requesters: [requester], started: false, forwarded: false, done: false };
    if (opId !== null) this.byOpId.set(opId, p);
    const queue = this.queues.get(op.key) ?? [];
    queue.push(p);
    this.queues.set(op.key, queue);
    this.pump(op.key);
  }

  private pump(key: string): void {
    const head = this.queues.get(key)?.[0];
    if (head === undefined || head.started) return;
    head.started = true;
    if (this.view.backups.length === 0) this.complete(head, this.execute(head.op, head.opId));
    else this.forward(head);
  }

  private forward(p: PendingOp): void {
    p.forwarded = true;
    const body = { type: 'forward', viewnum: p.viewnum, op: p.op, opId: p.opId };
    /** Backups that have not applied it yet, and what the others computed. */
    const waiting = new Set(this.view.backups);
    const theirs: { backup: string; outcome: unknown }[] = [];
    // Resend the same operation until each backup acknowledged it or the view changes: giving up
    // and moving on to the next operation on this key would let primary and backups diverge.
    for (const backup of this.view.backups) {
      this.resendUntil(
        () => p.done || p.viewnum !== this.view.viewnum || !waiting.has(backup),
        backup,
        body,
        (reply) => {
          if (reply.type === 'forward_ok') {
            waiting.delete(backup);
            theirs.push({ backup, outcome: reply.outcome });
            if (waiting.size > 0) return;
            const outcome = this.execute(p.op, p.opId);
            for (const t of theirs) {
              if (JSON.stringify(outcome) !== JSON.stringify(t.outcome)) {
                this.env.log(`BUG: backup ${t.backup} computed ${JSON.stringify(t.outcome)} for ${JSON.stringify(p.op)}, I computed ${JSON.stringify(outcome)}`);
              }
            }
            this.complete(p, outcome);
          } else if (reply.type === 'forward_reject' && typeof reply.viewnum === 'number' && reply.viewnum > this.view.viewnum) {
            this.deposed(reply.viewnum);
          }
        },
      );
    }
  }


  /**
   * My backup is in a newer view: I am no longer primary, though I cannot yet
   * say who is. Stop serving now (so coordinators move on at once, and pending
   * operations get their honest answer), and ask the view server.
   */
  private deposed(newer: number): void {
    if (this.readyView === 0) return;
    this.env.log(`my backup is in view ${newer}: no longer primary of view ${this.view.viewnum}`);
    this.abandonAll(`view ${this.view.viewnum} is over (backup in ${newer})`);
    this.readyView = 0;
    this.ping();
  }

  private complete(p: PendingOp, outcome: Outcome): void {
    p.done = true;
    for (const r of p.requesters) this.answer(r, outcome);
    if (p.opId !== null) this.byOpId.delete(p.opId);
    const queue = this.queues.get(p.op.key)!;
    queue.shift();
    if (queue.length === 0) this.queues.delete(p.op.key);
    else this.pump(p.op.key);
  }

  private abandonAll(why: string): void {
    for (const queue of this.queues.values()) {
      for (const p of queue) {
        p.done = true;
        // Never forwarded: it did not and will not happen. Forwarded: the old backup may have applied it.
        const outcome = p.forwarded ? errorOutcome(Errors.crash, `${why}; the ${p.op.f} may have happened`) : errorOutcome(Errors.temporarilyUnavailable, why);
        for (const r of p.requesters) this.answer(r, outcome);
      }
    }
    this.queues.clear();
    this.byOpId.clear();
  }

  private answer(r: Requester, outcome: Outcome): void {
    this.env.send(r.from, { type: 'kv_reply', in_reply_to: r.msgId, outcome });
  }
}
