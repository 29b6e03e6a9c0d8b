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
/** How long a primary waits for the backup's answer to one forward (or a state transfer) before resending it. */
export const FORWARD_TIMEOUT_MS = 400;
export const FORWARD_RETRY_MS = 50;
/** A coordinator's wait for one attempt at the primary. */
export const ATTEMPT_TIMEOUT_MS = 1000;
/** A coordinator gives up on an operation after this long and answers an error. */
export const OPERATION_DEADLINE_MS = 3000;
