// Sound reductions applied to one key's operations before the search. Each
// removes operations whose presence cannot change the verdict; together they
// defuse what makes indeterminate (info) operations expensive: an info op
// returns at infinity, so it is concurrent with everything after it.
import type { Operation, Value } from './types.ts';

/**
 * 1. `fail` ops definitely did not happen: they are not part of the history.
 * 2. An `info` read observed nothing and changes nothing: any linearization
 *    stays valid with or without it.
 * 3. An `info` write or cas whose written value v no ok read returns and no
 *    cas (ok or info) expects as `from`, in a key without appends, is dropped,
 *    repeatedly until nothing changes. Why this is sound:
 *    - without -> with: a linearization of the rest extends by placing the op
 *      last (it returns at infinity, and an info op's step is always legal).
 *    - with -> without: in a linearization L, the ops between o and the next
 *      state-changing op saw v. None is an ok read (none returns v), an ok cas
 *      (none expects v), or an info cas that took effect (none expects v), so
 *      they are info cas ops that compared and failed; move those to the end
 *      of L (legal for the same reason as above) and drop o. The next
 *      state-changing op is a write (legal from any state) or does not exist;
 *      an ok cas or effective info cas would have expected v. Appends are
 *      excluded because an append after o would make v part of later values.
 *    Dropping an info cas can remove the only cas expecting some value,
 *    which is why the rule is iterated.
 */
export function reduceKey(ops: Operation[]): Operation[] {
  let kept = ops.filter((op) => op.status !== 'fail' && !(op.f === 'read' && op.status !== 'ok'));
  if (kept.some((op) => op.f === 'append')) return kept;
  for (;;) {
    const observed = new Set<Value>();
    for (const op of kept) {
      if (op.f === 'read') observed.add(op.output);
      else if (op.f === 'cas') observed.add((op.input as [Value, Value])[0]);
    }
    const next = kept.filter((op) => {
      if (op.status !== 'info') return true;
      const written = op.f === 'cas' ? (op.input as [Value, Value])[1] : (op.input as Value);
      return observed.has(written);
    });
    if (next.length === kept.length) return kept;
    kept = next;
  }
}
