// Timing, views and view replies of the view-server design (MIT 6.824 lab 2,
// 2015), shared by its consensus-replicated variant (raftvs/).
import type { Body } from '../runtime/env.ts';
import type { Planted } from './planted.ts';

/** What a server or coordinator is built with (roles.ts). */
export interface NodeOptions {
  /** The view service's replicas (default: the one view server, VIEW_SERVER_ID). */
  viewServers?: readonly string[];
  /** Bugs planted on purpose, for measuring the tests (planted.ts). */
  planted?: Planted;
}

/** Servers ping the view server this often, and the view server ticks this often. */
export const PING_INTERVAL_MS = 100;
/** A server that missed this many ticks' worth of pings is dead. */
export const DEAD_PINGS = 5;
/**
 * A freshly started view server waits this many ticks before forming the first
 * view, collecting pings. If any server reports a view number above 0 in that
 * time, the view server itself has restarted under a live cluster whose
 * history it has lost, and it refuses to form views at all (wedged) rather
 * than crown an empty primary beside the old one.
 */
export const STARTUP_TICKS = DEAD_PINGS + 1;
/** A primary reports its backup unreachable after this long without any answer from it. */
export const UNREACHABLE_MS = 1000;
/** A backup reported unreachable is not chosen as backup again for this many ticks. */
export const SHUN_TICKS = 30;

export interface View {
  viewnum: number;
  primary: string | null;
  /** The view's backups, in order (the design's `backups` setting says how many it wants; 1 by default). */
  backups: readonly string[];
}

export const NO_VIEW: View = { viewnum: 0, primary: null, backups: [] };

export function isView(v: unknown): v is View {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o.viewnum === 'number' &&
    (o.primary === null || typeof o.primary === 'string') &&
    Array.isArray(o.backups) &&
    o.backups.every((b) => typeof b === 'string')
  );
}

/** A view's members: its primary, then its backups. */
export function members(v: View): string[] {
  return v.primary === null ? [...v.backups] : [v.primary, ...v.backups];
}

/** The view as a reply body carries it: `backup` (the first backup or null) for readers that know one backup, and all of them. */
export function viewFields(v: View): { viewnum: number; primary: string | null; backup: string | null; backups: string[] } {
  return { viewnum: v.viewnum, primary: v.primary, backup: v.backups[0] ?? null, backups: [...v.backups] };
}

/** The answer to a `primary` (or `get_view`) query, from a view server or from a coordinator's cache. */
export function primaryAnswer(request: Body, view: View, extra: Record<string, unknown> = {}): Body {
  const { viewnum, primary, backup, backups } = viewFields(view);
  return { type: 'primary_ok', in_reply_to: request.msg_id, primary, backup, backups, view: viewnum, ...extra };
}

/** Node id of the view server of the single-server design, by convention of its system.json. */
export const VIEW_SERVER_ID = 'vs';
/** Backups per view unless a design says otherwise. */
export const DEFAULT_BACKUPS = 1;
/**
 * A primary resends an unacknowledged forward (or state transfer) after this
 * long, doubling up to RESEND_MAX_MS. Copies are identical, and an answer to
 * any copy counts, so a slow link (latency) still makes progress.
 */
export const RESEND_MS = 300;
export const RESEND_MAX_MS = 2000;
/** How long any late reply is still accepted (pings, forwards, transfers, attempts). */
export const REPLY_PATIENCE_MS = 10_000;
/**
 * With a replicated view service, a server or coordinator that has heard
 * nothing from the replica it talks to for this long tries the next one.
 */
export const LOCATE_PATIENCE_MS = 400;
/** A coordinator sends the operation again (to whoever is primary now) after this long without an answer. */
export const ATTEMPT_INTERVAL_MS = 800;
/**
 * A coordinator gives up on an operation after this long and answers an error:
 * under the harness's 3 s client timeout, so the client hears a definite 11
 * (or an honest 0) rather than nothing.
 */
export const OPERATION_DEADLINE_MS = 2500;
