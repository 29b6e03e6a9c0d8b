// The deciding half of the view service of 6.824 lab 2 (2015): from pings
// alone, which command (serviceState.ts) to apply next. It keeps only soft
// state (who pinged when, with what), which a new leader of a replicated
// service rebuilds from scratch (`reset`), so everything here may be lost.
//
// Rules (each is a test in viewservice.test.ts; with `backups` > 1 the view
// has that many backups, and "the backup" reads "each backup"):
// - every server pings every PING_INTERVAL with the number of the view it
//   holds; a server that misses DEAD_PINGS ticks is dead; a member whose
//   pings carry an incarnation id other than the one it was named with, or
//   that pings 0 after a non-zero number, restarted (empty state); a
//   restarted primary is not told the view (it would serve its empty state);
// - a freshly started service, or a new leader of a replicated one, decides
//   nothing but acknowledgements for STARTUP_TICKS: it must hear everyone for
//   a dead interval before judging anyone dead;
// - the first view makes the first server that pinged primary;
// - the service moves from view n to n+1 only after the primary of n has
//   pinged with n (acknowledged it), so the primary of n+1 is always the
//   primary or a backup of n, and a backup's state transfer (which the
//   primary completes before acknowledging) is done before that backup can
//   be promoted;
// - primary dead or restarted: the live backup heard from most recently
//   becomes primary (with two backups lost at once with their primary, the
//   other may not be judged dead yet, and a dead successor would hold the
//   service in a view it can never leave), the other live backups stay, and
//   idle servers, if any, fill the backups in the same change; no live
//   backup: no change (an uninitialised server never becomes primary);
// - backup dead or restarted: it is removed and replaced by an idle server or
//   by none; fewer backups than wanted and an idle server: it becomes backup;
//   but only while the primary is heard from (it pinged in the last
//   PRIMARY_QUIET_TICKS): a primary lost together with a backup would
//   otherwise be kept in a new view it can never acknowledge, and the
//   service could never leave that view;
// - (an extension of the lab) a primary that has not heard from a backup for
//   UNREACHABLE_MS says so in its pings; that backup is then replaced and not
//   chosen again for SHUN_TICKS. This is the one change the service makes to
//   a view its primary has not acknowledged, and it keeps that primary:
//   without it, a primary and backup cut from each other but not from the
//   service would stall for as long as the cut lasts;
// - a server that reports a view number above the service's own means the
//   service lost its state (a single view server restarted) or this replica
//   is a stale leader: it then decides nothing ("wedged") rather than crown an
//   empty primary beside the old one.
//
// Dead detection counts ticks rather than comparing clock readings, so a view
// server that was paused (SIGSTOP) does not wake up and declare everybody dead
// before it has read the pings that queued up meanwhile.
import { DEAD_PINGS, members, SHUN_TICKS, STARTUP_TICKS } from './config.ts';

/** A primary that missed more ticks than this is not given a new view of fewer backups (see the rules). */
const PRIMARY_QUIET_TICKS = 1;
import { sameIncarnation, type ServiceCommand, type ServiceState } from './serviceState.ts';

interface PingRecord {
  missedTicks: number;
  lastViewnum: number;
  /** The incarnation id its last ping carried (null: pings without one, as in transcripts). */
  incarnation: string | null;
  firstSeen: number;
  /** Until this tick the server may not be (or stay) backup: its primary reported it unreachable. */
  shunnedUntil: number;
  /** The view in which this server, a member then, pinged 0 after a non-zero number (-1: never). */
  restartedIn: number;
}

/** Is `server`'s ping to be answered without the view (V4: a restarted primary must not learn it is primary)? */
export function hiddenFrom(state: ServiceState, server: string, incarnation: string | null): boolean {
  return server === state.view.primary && !sameIncarnation(incarnation, state.incarnations[server]);
}

export class ServiceLeader {
  private ticks = 0;
  private seen = 0;
  private highestReported = 0;
  private readonly records = new Map<string, PingRecord>();

  constructor(
    private readonly log: (message: string) => void,
    /** Backups wanted per view. */
    private readonly backups: number,
  ) {}

  /** A new leadership: nothing soft survives it, and the dead interval starts again. */
  reset(): void {
    this.ticks = 0;
    this.seen = 0;
    this.highestReported = 0;
    this.records.clear();
  }

  ping(state: ServiceState, server: string, viewnum: number, unreachable: readonly string[], incarnation: string | null): void {
    let rec = this.records.get(server);
    if (rec === undefined) {
      rec = { missedTicks: 0, lastViewnum: 0, incarnation, firstSeen: this.seen++, shunnedUntil: 0, restartedIn: -1 };
      this.records.set(server, rec);
    }
    const { view } = state;
    const member = members(view).includes(server);
    if (member && viewnum === 0 && rec.lastViewnum > 0 && rec.restartedIn !== view.viewnum) {
      this.log(`${server} restarted (pinged 0 after ${rec.lastViewnum})`);
      rec.restartedIn = view.viewnum;
    }
    if (incarnation !== null) {
      if (member && incarnation !== rec.incarnation && !sameIncarnation(incarnation, state.incarnations[server])) this.log(`${server} restarted (new incarnation)`);
      rec.incarnation = incarnation;
    }
    rec.missedTicks = 0;
    rec.lastViewnum = viewnum;
    if (viewnum > view.viewnum && viewnum > this.highestReported) {
      this.log(`${server} holds view ${viewnum} but this service knows only ${view.viewnum}: it lost its state, or is a stale leader; forming no views`);
    }
    this.highestReported = Math.max(this.highestReported, viewnum);
    if (server === view.primary) {
      for (const b of view.backups) {
        const r = this.records.get(b);
        if (unreachable.includes(b) && r !== undefined && r.shunnedUntil <= this.ticks) {
          this.log(`${server} cannot reach its backup ${b}`);
          r.shunnedUntil = this.ticks + SHUN_TICKS;
        }
      }
    }
  }

  tick(): void {
    this.ticks++;
    for (const rec of this.records.values()) rec.missedTicks++;
  }

  /** Has the service seen a view number above its own (see the rules)? */
  wedged(state: ServiceState): boolean {
    return this.highestReported > state.view.viewnum;
  }

  /** Is `server`'s ping to be answered without the view? */
  hidden(state: ServiceState, server: string, incarnation: string | null): boolean {
    return hiddenFrom(state, server, incarnation) || (server === state.view.primary && this.restarted(state, server));
  }

  /** The one command the rules call for now, if any. */
  next(state: ServiceState): ServiceCommand | null {
    const { view } = state;
    const p = view.primary;
    if (p !== null && !state.acked) {
      const rec = this.records.get(p);
      if (rec !== undefined && rec.lastViewnum === view.viewnum && !this.restarted(state, p)) {
        return { op: 'ack', viewnum: view.viewnum, incarnation: rec.incarnation };
      }
    }
    if (this.wedged(state) || this.ticks < STARTUP_TICKS) return null;
    if (p === null) {
      const first = this.idle(state, [])[0];
      return first === undefined ? null : this.change(state, first, []);
    }
    const keep = view.backups.filter((b) => this.alive(state, b) && !this.shunned(b));
    if (!state.acked) {
      // The one change allowed before the acknowledgement: the primary cannot reach a backup
      // it must transfer its state to, so it could never acknowledge. Keeping the primary keeps
      // the invariant (V2): nobody else served in this view (its primary was not ready), and the
      // same primary still holds the complete state.
      if (this.alive(state, p) && view.backups.some((b) => this.shunned(b))) return this.change(state, p, keep);
      return null;
    }
    if (!this.alive(state, p)) {
      // Only the backups hold the state. If none is alive, nobody can take over, and staying in
      // this view lets the old primary carry on if it comes back.
      const successor = view.backups.filter((b) => this.alive(state, b)).sort((a, b) => this.records.get(a)!.missedTicks - this.records.get(b)!.missedTicks)[0];
      return successor === undefined ? null : this.change(state, successor, keep.filter((b) => b !== successor));
    }
    if (keep.length < view.backups.length || view.backups.length < this.backups) {
      // A quiet primary may be dying too: wait until it pings again or is judged dead (see the rules).
      if (this.records.get(p)!.missedTicks > PRIMARY_QUIET_TICKS) return null;
      const cmd = this.change(state, p, keep);
      const same = cmd.view.backups.length === view.backups.length && cmd.view.backups.every((b, i) => b === view.backups[i]);
      return same ? null : cmd;
    }
    return null;
  }

  /** A change to `primary` with `backups`, filled up with idle servers. */
  private change(state: ServiceState, primary: string, backups: string[]): Extract<ServiceCommand, { op: 'view' }> {
    const { view } = state;
    const chosen = [...backups];
    for (const s of this.idle(state, [...members(view), primary, ...chosen])) {
      if (chosen.length >= this.backups) break;
      chosen.push(s);
    }
    const next = { viewnum: view.viewnum + 1, primary, backups: view.viewnum === 0 ? [] : chosen };
    const incarnations: Record<string, string | null> = {};
    for (const m of members(next)) incarnations[m] = Object.hasOwn(state.incarnations, m) ? state.incarnations[m] : (this.records.get(m)?.incarnation ?? null);
    return { op: 'view', from: view.viewnum, view: next, incarnations };
  }

  private restarted(state: ServiceState, server: string): boolean {
    const rec = this.records.get(server);
    if (rec === undefined || !members(state.view).includes(server)) return false;
    return rec.restartedIn === state.view.viewnum || !sameIncarnation(rec.incarnation, state.incarnations[server]);
  }

  private alive(state: ServiceState, server: string): boolean {
    const rec = this.records.get(server);
    return rec !== undefined && rec.missedTicks < DEAD_PINGS && !this.restarted(state, server);
  }

  private shunned(server: string): boolean {
    const rec = this.records.get(server);
    return rec !== undefined && rec.shunnedUntil > this.ticks;
  }

  /** Live, unshunned servers outside `exclude`, the longest known first. */
  private idle(state: ServiceState, exclude: string[]): string[] {
    return [...this.records.entries()]
      .filter(([id]) => !exclude.includes(id) && this.alive(state, id) && !this.shunned(id))
      .sort((a, b) => a[1].firstSeen - b[1].firstSeen)
      .map(([id]) => id);
  }
}
