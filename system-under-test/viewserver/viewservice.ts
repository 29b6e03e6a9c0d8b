// The view service of 6.824 lab 2 (2015): it names the primary and backup of
// each numbered view, from pings alone.
//
// Rules (each is a test in viewservice.test.ts):
// - every server pings every PING_INTERVAL with the number of the view it
//   holds; a server that misses DEAD_PINGS ticks is dead; a ping with 0 from a
//   server that had pinged a non-zero number means it restarted (empty state);
// - the first view makes the first server that pinged primary;
// - the view service moves from view n to n+1 only after the primary of n has
//   pinged with n (acknowledged it), so the primary of n+1 is always the
//   primary or backup of n, and a backup's state transfer (which the primary
//   completes before acknowledging) is done before that backup can be promoted;
// - primary dead or restarted: the backup, if alive, becomes primary and an
//   idle server, if any, becomes backup in the same change; no live backup:
//   no change (an uninitialised server never becomes primary);
// - backup dead or restarted: it is replaced by an idle server or by none;
//   no backup and an idle server: it becomes backup;
// - (an extension of the lab) a primary that has not heard from its backup for
//   UNREACHABLE_MS says so in its pings; the backup is then replaced and not
//   chosen again for SHUN_TICKS. This is the one change the service makes to a
//   view its primary has not acknowledged, and it keeps that primary: without
//   it, a primary and backup cut from each other but not from the service
//   would stall for as long as the cut lasts.
//
// Dead detection counts ticks rather than comparing clock readings, so a view
// server that was paused (SIGSTOP) does not wake up and declare everybody dead
// before it has read the pings that queued up meanwhile.
import type { Body, Env, Node } from '../runtime/env.ts';
import { Errors } from '../runtime/protocol.ts';
import { DEAD_PINGS, NO_VIEW, PING_INTERVAL_MS, SHUN_TICKS, STARTUP_TICKS, type View } from './config.ts';

interface ServerRecord {
  /** Until this tick the server may not be (or stay) backup: its primary reported it unreachable. */
  shunnedUntil: number;
  missedTicks: number;
  lastViewnum: number;
  restarted: boolean;
  firstSeen: number;
}

export class ViewService implements Node {
  view: View = NO_VIEW;
  /** Has the primary of `view` pinged with `view.viewnum`? */
  acked = false;
  /** Restarted under a live cluster: forms no views, ever (see STARTUP_TICKS). */
  wedged = false;
  private ticks = 0;
  private seen = 0;
  private readonly servers = new Map<string, ServerRecord>();

  constructor(private readonly env: Env) {
    const tick = () => {
      this.tick();
      env.setTimer(PING_INTERVAL_MS, tick);
    };
    env.setTimer(PING_INTERVAL_MS, tick);
  }

  receive(from: string, body: Body): void {
    if (body.type === 'ping' && typeof body.viewnum === 'number') {
      const unreachable = Array.isArray(body.unreachable) ? body.unreachable.filter((u): u is string => typeof u === 'string') : [];
      this.ping(from, body.viewnum, unreachable);
      this.env.send(from, { type: 'view', in_reply_to: body.msg_id, ...this.view });
    } else if (body.type === 'primary' || body.type === 'get_view') {
      this.env.send(from, {
        type: 'primary_ok',
        in_reply_to: body.msg_id,
        primary: this.view.primary,
        backup: this.view.backup,
        view: this.view.viewnum,
      });
    } else if (typeof body.msg_id === 'number' && body.in_reply_to === undefined) {
      this.env.send(from, { type: 'error', in_reply_to: body.msg_id, code: Errors.notSupported.code, text: `the view server does not serve '${body.type}'` });
    }
  }

  ping(server: string, viewnum: number, unreachable: string[] = []): void {
    let rec = this.servers.get(server);
    if (rec === undefined) {
      rec = { shunnedUntil: 0, missedTicks: 0, lastViewnum: 0, restarted: false, firstSeen: this.seen++ };
      this.servers.set(server, rec);
    }
    if (viewnum === 0 && rec.lastViewnum > 0 && (server === this.view.primary || server === this.view.backup)) {
      rec.restarted = true;
      this.env.log(`${server} restarted (pinged 0 after ${rec.lastViewnum})`);
    }
    rec.missedTicks = 0;
    rec.lastViewnum = viewnum;
    if (this.view.viewnum === 0 && viewnum > 0 && !this.wedged) {
      this.wedged = true;
      this.env.log(`${server} holds view ${viewnum} but this view server knows none: it restarted under a live cluster; forming no views`);
    }
    if (server === this.view.primary && viewnum === this.view.viewnum && viewnum > 0 && !rec.restarted) {
      if (!this.acked) this.env.log(`${server} acknowledged view ${viewnum}`);
      this.acked = true;
    }
    const backup = this.view.backup;
    if (server === this.view.primary && backup !== null && unreachable.includes(backup)) {
      const b = this.servers.get(backup);
      if (b !== undefined && b.shunnedUntil <= this.ticks) {
        this.env.log(`${server} cannot reach its backup ${backup}`);
        b.shunnedUntil = this.ticks + SHUN_TICKS;
      }
    }
    this.decide();
  }

  tick(): void {
    this.ticks++;
    for (const rec of this.servers.values()) rec.missedTicks++;
    this.decide();
  }

  private alive(server: string | null): boolean {
    const rec = server === null ? undefined : this.servers.get(server);
    return rec !== undefined && rec.missedTicks < DEAD_PINGS && !rec.restarted;
  }

  private shunned(server: string | null): boolean {
    const rec = server === null ? undefined : this.servers.get(server);
    return rec !== undefined && rec.shunnedUntil > this.ticks;
  }

  private idle(exclude: (string | null)[]): string | null {
    const candidates = [...this.servers.entries()]
      .filter(([id]) => !exclude.includes(id) && this.alive(id) && !this.shunned(id))
      .sort((a, b) => a[1].firstSeen - b[1].firstSeen);
    return candidates[0]?.[0] ?? null;
  }

  private decide(): void {
    if (this.wedged) return;
    const { viewnum, primary, backup } = this.view;
    if (viewnum === 0) {
      if (this.ticks < STARTUP_TICKS) return;
      const first = this.idle([]);
      if (first !== null) this.change({ viewnum: 1, primary: first, backup: null });
      return;
    }
    if (!this.acked) {
      // The one change allowed before the acknowledgement: the primary cannot reach the backup
      // it must transfer its state to, so it could never acknowledge. Keeping the primary keeps
      // the invariant: nobody else served in this view (its primary was not ready), and the
      // same primary still holds the complete state.
      if (backup !== null && this.alive(primary) && this.shunned(backup)) {
        this.change({ viewnum: viewnum + 1, primary, backup: this.idle([primary, backup]) });
      }
      return;
    }
    if (!this.alive(primary)) {
      // Only the backup holds the state. If it is dead or restarted too, nobody can take over,
      // and staying in this view lets the old primary carry on if it comes back.
      if (backup === null || !this.alive(backup)) return;
      this.change({ viewnum: viewnum + 1, primary: backup, backup: this.idle([backup]) });
    } else if (backup !== null && (!this.alive(backup) || this.shunned(backup))) {
      this.change({ viewnum: viewnum + 1, primary, backup: this.idle([primary, backup]) });
    } else if (backup === null) {
      const next = this.idle([primary]);
      if (next !== null) this.change({ viewnum: viewnum + 1, primary, backup: next });
    }
  }

  private change(next: View): void {
    this.env.log(`view ${next.viewnum}: primary ${next.primary ?? '-'}, backup ${next.backup ?? '-'}`);
    this.view = next;
    this.acked = false;
    // A restart has been acted on: the server is an ordinary (empty) idle server from now on.
    for (const rec of this.servers.values()) rec.restarted = false;
  }
}
