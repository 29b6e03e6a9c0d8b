// From a recorded history to a run's verdict. The checker decides whether the
// history is linearizable; this file adds the harness's own honesty rule: a
// run in which too little succeeded proves nothing (too few ok operations, no
// write that succeeded, no read that saw one), so it is `unknown`, never a
// pass. A violation stands whatever the counts: one non-linearizable
// sub-history is proof enough.
import { checkHistory } from '../../checkers/index.ts';
import type { CheckResult, HistoryEvent, Verdict } from '../../checkers/types.ts';

/** Below this share of ok operations among those invoked, a pass means nothing. */
export const MIN_OK_FRACTION = 0.1;
/** And at least this many ok operations in all. */
export const MIN_OK_OPS = 20;
/**
 * A history of reads alone tests nothing: a store that refuses every write and
 * answers every read "not found" is trivially linearizable. So a pass needs
 * state changes that succeeded (ok write or cas) and reads that saw them (ok
 * reads returning a value some write or cas put there, not the initial null),
 * a handful of each so that one lucky operation is not the whole test.
 */
export const MIN_OK_WRITES = 5;
export const MIN_READS_OF_WRITES = 5;

export interface RunVerdict {
  valid: Verdict;
  unknownReason: string | null;
  firstViolationNs: number | null;
  check: CheckResult | null;
}

export async function checkRun(
  events: HistoryEvent[],
  opts: { timeoutMs: number; finalRead?: { read: number; of: number }; healErrors?: string[]; explain?: boolean },
): Promise<RunVerdict> {
  // Without explanation (batches, shrinking) a violation is decided as soon as it is found.
  const check = await checkHistory(events, { timeoutMs: opts.timeoutMs, explain: opts.explain, parallel: opts.explain !== false });
  const base = { check };
  if (check.valid === false) {
    return { ...base, valid: false, unknownReason: null, firstViolationNs: firstViolation(check) };
  }
  if (check.valid === 'unknown') {
    return { ...base, valid: 'unknown', unknownReason: `the checker gave up (${(check as { unknownReason?: string }).unknownReason ?? 'time or memory limit'})`, firstViolationNs: null };
  }
  // A network left cut means the final reads (and any recovery) were not what the run claims to test.
  const healErrors = opts.healErrors ?? [];
  const reason = healErrors.length > 0 ? `a heal failed, so the run did not end healed: ${healErrors[0]}` : tooLittleSuccess(events, opts.finalRead);
  return { ...base, valid: reason === null ? true : 'unknown', unknownReason: reason, firstViolationNs: null };
}

/**
 * Why a linearizable-looking history is too thin to count as a pass, or null.
 * About safety only: a system that answers nothing during a fault is
 * unavailable, which availability.ts measures, not untested.
 */
export function tooLittleSuccess(events: HistoryEvent[], finalRead?: { read: number; of: number }): string | null {
  // One pass for the counts (a run's history is thousands of events, judged per run).
  let invoked = 0;
  let ok = 0;
  let writes = 0;
  for (const e of events) {
    if (e.process === 'nemesis') continue;
    if (e.type === 'invoke') invoked++;
    else if (e.type === 'ok') {
      ok++;
      if (e.f === 'write' || e.f === 'cas') writes++;
    }
  }
  if (ok < MIN_OK_OPS) return `only ${ok} operations succeeded (need ${MIN_OK_OPS})`;
  if (ok < MIN_OK_FRACTION * invoked) {
    return `only ${ok} of ${invoked} operations succeeded (${((100 * ok) / invoked).toFixed(1)}%, need ${100 * MIN_OK_FRACTION}%)`;
  }
  if (writes < MIN_OK_WRITES) return `only ${writes} writes or cas succeeded (need ${MIN_OK_WRITES}): nothing was written, so the reads tested nothing`;
  const readsOfWrites = readsOfWrittenValues(events);
  if (readsOfWrites < MIN_READS_OF_WRITES) {
    return `only ${readsOfWrites} successful reads returned a written value (need ${MIN_READS_OF_WRITES}): the writes were never observed`;
  }
  if (finalRead && finalRead.read < finalRead.of) {
    return `the final reads after healing answered only ${finalRead.read} of ${finalRead.of} keys: the system did not recover`;
  }
  return null;
}

/** ok reads whose value some write or cas on the same key wrote (so not the initial state). */
function readsOfWrittenValues(events: HistoryEvent[]): number {
  const written = new Map<string, Set<unknown>>();
  for (const e of events) {
    if (e.process === 'nemesis' || e.type !== 'invoke' || e.f === 'read') continue;
    const value = e.f === 'cas' && Array.isArray(e.value) ? e.value[1] : e.value;
    const key = e.key ?? '';
    let set = written.get(key);
    if (set === undefined) written.set(key, (set = new Set()));
    set.add(value);
  }
  let n = 0;
  for (const e of events) {
    if (e.process !== 'nemesis' && e.type === 'ok' && e.f === 'read' && e.value !== null && written.get(e.key ?? '')?.has(e.value) === true) n++;
  }
  return n;
}

/**
 * When the first violation became visible: the completion of the operation
 * the search could not linearize (its invocation, if it never completed),
 * earliest over failing keys. Not the minimal sub-history's times: dropping
 * operations can remove the write that justified a read, so a sub-history can
 * fail earlier than the history it came from.
 */
export function firstViolation(check: CheckResult): number | null {
  let best: number | null = null;
  for (const f of check.failures) {
    const t = Number.isFinite(f.stuck.return) ? f.stuck.return : f.stuck.call;
    if (best === null || t < best) best = t;
  }
  return best;
}
