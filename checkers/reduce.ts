// Sound reductions applied to one key's operations before the search. Each
// removes operations whose presence cannot change the verdict; together they
// defuse what makes indeterminate (info) operations expensive: an info op
// returns at infinity, so it is concurrent with everything after it.
import type { Operation, Value } from './types.ts';

/**
 * 1. `fail` ops definitely did not happen: they are not part of the history.
 * 2. An `info` read observed nothing and changes nothing: any linearization
 *    stays valid with or without it.
 * 3. An `info` write or cas o writing v, in a key without appends, is dropped
 *    when no op that could come after it observes v: no ok read returning v
 *    and no cas (ok or info) expecting v returns at or after o's invoke (an op
 *    that returned before o was invoked must precede o). Repeated until
 *    nothing changes. Why this is sound:
 *    - without -> with: a linearization of the rest extends by placing o last
 *      (it returns at infinity, and an info op's step is always legal).
 *    - with -> without: in a linearization L, the ops between o and the next
 *      state-changing op saw v and come after o, so they returned at or after
 *      o's invoke. None is an ok read (none returns v), an ok cas (none
 *      expects v) or an info cas that took effect (none expects v), so they
 *      are info cas ops that compared and failed; move those to the end of L
 *      (legal as above) and drop o. The next state-changing op is a write
 *      (legal from any state) or does not exist: an ok cas or effective info
 *      cas would have expected v. Appends are excluded because an append
 *      after o would carry v into later values.
 *    Dropping an info cas can remove the only cas expecting some value,
 *    which is why the rule is iterated.
 */
/** What the search sees of one key's ops: reduced, or (reductions off, for measuring) only without fails. */
export function searchableOps(ops: Operation[], reduce: boolean): Operation[] {
  return reduce ? reduceKey(ops) : ops.filter((op) => op.status !== 'fail');
}

export function reduceKey(ops: Operation[]): Operation[] {
  // Rules 1 and 2 in one pass, noting whether rule 3 has anything to do.
  let kept: Operation[] = [];
  let infoWriters = 0;
  let appends = false;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    if (op.status === 'fail' || (op.f === 'read' && op.status !== 'ok')) continue;
    if (op.f === 'append') appends = true;
    else if (op.status === 'info') infoWriters++;
    kept.push(op);
  }
  if (appends || infoWriters === 0) return kept;
  for (;;) {
    // For each value, the latest return among the ops observing it.
    const lastObserved = new Map<Value, number>();
    const observe = (v: Value, at: number) => lastObserved.set(v, Math.max(at, lastObserved.get(v) ?? -Infinity));
    for (const op of kept) {
      if (op.f === 'read') observe(op.output, op.return);
      else if (op.f === 'cas') observe((op.input as [Value, Value])[0], op.return);
    }
    const next = kept.filter((op) => {
      if (op.status !== 'info') return true;
      const written = op.f === 'cas' ? (op.input as [Value, Value])[1] : (op.input as Value);
      return (lastObserved.get(written) ?? -Infinity) >= op.call;
    });
    if (next.length === kept.length) return kept;
    kept = next;
  }
}

// Quiescent points (moments when every op invoked so far has completed) are
// not cut into separately checked segments here. The segments are not
// independent: concurrent writes before a cut can leave the register in
// several states, so checking the next segment needs the set of all possible
// end states of the previous one, which costs an exhaustive search of that
// segment where the plain search usually stops at its first linearization.
// What a cut does buy, small cache entries, the search gets anyway: its cache
// key is the window of ops concurrent with the first unlinearized op (see
// search.ts), which at a quiescent point is just that op.
