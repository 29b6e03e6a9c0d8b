// High availability, measured beside single-copy consistency. From a
// history alone: for each fault window and for the quiet time, how many
// operations were invoked and how many of those completed ok; the longest
// stretch with no ok completion; and, after each fault starts and after each
// heal, how long until the first ok completion of an operation invoked after
// that moment (time to recover). A system may claim availability under some
// nemeses ("available" in its definition); under those, every fault window
// must see ok operations resume within `recoveryS` of the fault starting.
//
// "Completed ok" counts what the system served: an ok completion, and a cas
// refused with precondition-failed (the system answered it: the register
// held another value). Every other fail or info is not served.
import type { ClientEvent, HistoryEvent } from '../../checkers/types.ts';

/** The one refusal that is an answer: a cas whose precondition did not hold (the wire error name). */
export const SERVED_REFUSAL = 'precondition-failed';

/**
 * The history's marker for the end of the workload, written when the clients
 * stop: the healing pause and final reads that follow are not availability.
 */
export const WORKLOAD_END_MARK = 'workload-end';

export interface AvailabilityWindow {
  /** The faults active in the window, e.g. "isolate-primary" or "partition+kill". */
  faults: string;
  startS: number;
  endS: number;
  invoked: number;
  /** Of those, served before the window ended (an answer after the heal is not availability during the fault). */
  ok: number;
  /** ok / invoked; null when nothing was invoked. */
  ratio: number | null;
  /** From the fault's start to the first ok completion of an operation invoked after it; null if none came. */
  recoverS: number | null;
  /** From the heal to the first ok completion of an operation invoked after it; null if none came. */
  afterHealS: number | null;
}

export interface Availability {
  /** ok / invoked over all fault windows; null without any. */
  duringFaults: number | null;
  /** ok / invoked outside fault windows (workload phase only); null if nothing was invoked then. */
  quiet: number | null;
  /** The longest stretch of the workload with no ok completion, in seconds. */
  longestOutageS: number;
  windows: AvailabilityWindow[];
}

interface Op {
  invokeNs: number;
  completeNs: number | null;
  ok: boolean;
}

/** Union of the nemesis start/stop intervals: a window lasts while at least one fault is active. */
function faultIntervals(events: HistoryEvent[], endNs: number): Array<{ startNs: number; endNs: number; faults: string[] }> {
  const out: Array<{ startNs: number; endNs: number; faults: string[] }> = [];
  const active = new Set<string>();
  let current: { startNs: number; endNs: number; faults: string[] } | null = null;
  for (const e of events) {
    if (e.process !== 'nemesis') continue;
    const m = /^(start|stop)-(.+)$/.exec(e.f);
    if (!m) continue;
    if (m[1] === 'start') {
      if (active.size === 0) {
        current = { startNs: e.time, endNs, faults: [] };
        out.push(current);
      }
      active.add(m[2]);
      if (!current!.faults.includes(m[2])) current!.faults.push(m[2]);
    } else if (active.delete(m[2]) && active.size === 0 && current !== null) {
      current.endNs = e.time;
      current = null;
    }
  }
  return out;
}

export function measureAvailability(events: HistoryEvent[]): Availability {
  const mark = events.find((e) => e.process === 'nemesis' && e.f === WORKLOAD_END_MARK);
  const last = events.length > 0 ? events[events.length - 1].time : 0;
  const workloadEnd = mark?.time ?? last;
  const ops: Op[] = [];
  const open = new Map<number, Op>();
  for (const e of events) {
    if (e.process === 'nemesis') continue;
    const c = e as ClientEvent;
    if (c.type === 'invoke') {
      if (c.time >= workloadEnd) continue;
      const op = { invokeNs: c.time, completeNs: null, ok: false };
      ops.push(op);
      open.set(c.process, op);
    } else {
      const op = open.get(c.process);
      if (op === undefined) continue;
      open.delete(c.process);
      op.completeNs = c.time;
      op.ok = c.type === 'ok' || (c.type === 'fail' && c.error === SERVED_REFUSAL);
    }
  }
  const okTimes = ops.filter((o) => o.ok).map((o) => o.completeNs!).sort((a, b) => a - b);
  const firstOkAfter = (t: number): number | null => {
    let best: number | null = null;
    for (const o of ops) if (o.ok && o.invokeNs >= t && (best === null || o.completeNs! < best)) best = o.completeNs!;
    return best === null ? null : (best - t) / 1e9;
  };
  const intervals = faultIntervals(events, workloadEnd);
  const inAny = (t: number) => intervals.some((w) => t >= w.startNs && t < w.endNs);
  const windows: AvailabilityWindow[] = intervals.map((w) => {
    const inside = ops.filter((o) => o.invokeNs >= w.startNs && o.invokeNs < w.endNs);
    const ok = inside.filter((o) => o.ok && o.completeNs! <= w.endNs).length;
    return {
      faults: w.faults.join('+'),
      startS: w.startNs / 1e9,
      endS: w.endNs / 1e9,
      invoked: inside.length,
      ok,
      ratio: inside.length === 0 ? null : ok / inside.length,
      recoverS: firstOkAfter(w.startNs),
      afterHealS: w.endNs >= workloadEnd ? null : firstOkAfter(w.endNs),
    };
  });
  const invokedInFaults = windows.reduce((n, w) => n + w.invoked, 0);
  const servedInFaults = windows.reduce((n, w) => n + w.ok, 0);
  const quietOps = ops.filter((o) => !inAny(o.invokeNs));
  const ratio = (xs: Op[]) => (xs.length === 0 ? null : xs.filter((o) => o.ok).length / xs.length);
  // Outages: gaps between ok completions, from the first invocation to the end of the workload.
  const start = ops.length > 0 ? ops[0].invokeNs : 0;
  let longest = 0;
  let prev = start;
  for (const t of okTimes) {
    if (t > workloadEnd) break;
    longest = Math.max(longest, t - prev);
    prev = Math.max(prev, t);
  }
  longest = Math.max(longest, workloadEnd - prev);
  return {
    duringFaults: invokedInFaults === 0 ? null : servedInFaults / invokedInFaults,
    quiet: ratio(quietOps),
    longestOutageS: ops.length === 0 ? 0 : longest / 1e9,
    windows,
  };
}

/**
 * Why a run breaks its system's availability claim, or null: the first fault
 * window after whose start no ok operation came within `recoveryS`.
 */
export function availabilityShortfall(a: Availability, recoveryS: number): string | null {
  for (const w of a.windows) {
    if (w.recoverS !== null && w.recoverS <= recoveryS) continue;
    const span = `${w.startS.toFixed(1)}-${w.endS.toFixed(1)} s`;
    return w.recoverS === null
      ? `no operation succeeded after the ${w.faults} fault at ${span} started, for the rest of the run (claimed: within ${recoveryS} s)`
      : `nothing succeeded for ${w.recoverS.toFixed(1)} s after the ${w.faults} fault at ${span} started (claimed: within ${recoveryS} s)`;
  }
  return null;
}

/** One short cell for tables: ok share during faults / quiet, e.g. "41% / 99%". */
export function availabilityCell(a: Availability | null | undefined): string {
  if (!a) return '-';
  const pct = (r: number | null) => (r === null ? '-' : `${Math.round(100 * r)}%`);
  return `${pct(a.duringFaults)} / ${pct(a.quiet)}`;
}
