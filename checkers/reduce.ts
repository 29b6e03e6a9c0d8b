// Sound reductions applied to one key's operations before the search. Each
// removes operations whose presence cannot change the verdict; together they
// defuse what makes indeterminate (info) operations expensive: an info op
// returns at infinity, so it is concurrent with everything after it.
import { kernelRule3 } from './kernel/kernelWalk.ts';
import { rule3Inputs, rule3Survivors, ValueTable } from './model.ts';
import type { Operation } from './types.ts';

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
export function searchableOps(ops: Operation[], reduce: boolean, table?: ValueTable): Operation[] {
  return reduce ? reduceKey(ops, table) : ops.filter((op) => op.status !== 'fail');
}

/**
 * `table` numbers the values (a check passes the one its searches share, so
 * each value is looked up once); without it, a table of its own. Rule 3 runs
 * in the kernel; engine 'js' runs the reference (jsRule3).
 */
export function reduceKey(ops: Operation[], table: ValueTable = new ValueTable(), engine: 'kernel' | 'js' = 'kernel'): Operation[] {
  // Rules 1 and 2 in one pass, noting whether rule 3 has anything to do. `kept` is made at
  // its largest and cut to length: growing it by push allocated three times its size.
  const kept: Operation[] = new Array(ops.length);
  let k = 0;
  let infoWriters = 0;
  let appends = false;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    if (op.status === 'fail' || (op.f === 'read' && op.status !== 'ok')) continue;
    if (op.f === 'append') appends = true;
    else if (op.status === 'info') infoWriters++;
    kept[k++] = op;
  }
  kept.length = k;
  if (appends || infoWriters === 0) return kept;
  return engine === 'kernel' ? kernelRule3(kept, table) : jsRule3(kept, table);
}

/** Per value id, the latest return among the ops observing it: jsRule3's scratch, shared by every key of this thread (a key resets what it touched). */
let lastObservedScratch = new Float64Array(1024).fill(-Infinity);

/**
 * Rule 3 in JavaScript, the reference for the kernel's (kernelRule3): the ops
 * of `kept` that survive, in order. `kept` holds no fail ops, no info reads and
 * no appends. Per op, on typed arrays, the value it observes, the value an info
 * op writes, and its times; values numbered once by `table`.
 */
export function jsRule3(kept: Operation[], table: ValueTable): Operation[] {
  const n = kept.length;
  const observes = new Int32Array(n);
  const writes = new Int32Array(n);
  const call = new Float64Array(n);
  const ret = new Float64Array(n);
  rule3Inputs(kept, table, observes, writes, call, ret);
  if (lastObservedScratch.length < table.values.length) {
    lastObservedScratch = new Float64Array(Math.max(table.values.length, 2 * lastObservedScratch.length)).fill(-Infinity);
  }
  const lastObserved = lastObservedScratch;
  const alive = new Uint8Array(n).fill(1);
  let survivors = n;
  for (let dropped = 1; dropped > 0; ) {
    for (let i = 0; i < n; i++) {
      const v = observes[i];
      if (alive[i] === 1 && v !== -1 && ret[i] > lastObserved[v]) lastObserved[v] = ret[i];
    }
    dropped = 0;
    for (let i = 0; i < n; i++) {
      if (alive[i] === 1 && writes[i] !== -1 && lastObserved[writes[i]] < call[i]) {
        alive[i] = 0;
        dropped++;
      }
    }
    // Back to -Infinity for the next round and the next key: only the values this key observes were touched.
    for (let i = 0; i < n; i++) if (observes[i] !== -1) lastObserved[observes[i]] = -Infinity;
    survivors -= dropped;
  }
  return rule3Survivors(kept, alive, survivors);
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
