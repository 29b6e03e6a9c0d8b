// Timing of the view-server design (MIT 6.824 lab 2, 2015).

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
  backup: string | null;
}

export const NO_VIEW: View = { viewnum: 0, primary: null, backup: null };

export function isView(v: unknown): v is View {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  const id = (x: unknown) => x === null || typeof x === 'string';
  return typeof o.viewnum === 'number' && id(o.primary) && id(o.backup);
}

/** Node id of the view server, by convention of system.json. */
export const VIEW_SERVER_ID = 'vs';
/**
 * A primary resends an unacknowledged forward (or state transfer) after this
 * long, doubling up to RESEND_MAX_MS. Copies are identical, and an answer to
 * any copy counts, so a slow link (latency) still makes progress.
 */
export const RESEND_MS = 300;
export const RESEND_MAX_MS = 2000;
/** How long any late reply is still accepted (pings, forwards, transfers, attempts). */
export const REPLY_PATIENCE_MS = 10_000;
/** A coordinator sends the operation again (to whoever is primary now) after this long without an answer. */
export const ATTEMPT_INTERVAL_MS = 800;
/**
 * A coordinator gives up on an operation after this long and answers an error:
 * under the harness's 3 s client timeout, so the client hears a definite 11
 * (or an honest 0) rather than nothing.
 */
export const OPERATION_DEADLINE_MS = 2500;
