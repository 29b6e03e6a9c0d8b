// Closed sub-histories: the sub-histories whose non-linearizability is
// evidence against the whole history, and so the only ones a counterexample
// may shrink through.
//
// Shrinking by "remove ops while the rest stays non-linearizable" alone is
// unsound as evidence: a read of 6 with dozens of earlier writes of 6 shrinks,
// one removed write at a time, to the read and a later write of 6, "a value
// from the future", although the real history explains the read perfectly.
// The sub-history is wrong; the history may not be (or is wrong elsewhere).
//
// Definitions, for one key's history H (fail ops excluded: they did not happen;
// info reads excluded: they observed nothing). An *observer* is an ok read
// (it saw its output) or a cas, ok or info (it compared against `from`; an
// info cas may have taken effect). A *writer* is a write, a cas (its `to`) or
// an append. A writer w *contributes* to a value s when w could have built s:
// registers, w writes exactly s; append keys, w is an append whose (non-empty)
// argument occurs in s, or a write/cas whose value s starts with.
//
// A sub-history M of H is *closed* when for every observer o in M, every
// writer w of H contributing to what o saw (w != o) is in M, unless
//   (a) o.return < w.call: w began after o completed, so w follows o in every
//       linearization; or
//   (b) M holds an ok write or ok cas s, itself contributing to what o saw,
//       with w.return < s.call and s.return < o.call: s takes effect in every
//       linearization, after w and before o, so w cannot be the last write
//       before o.
//
// Claim: if M is closed and H is linearizable, M is linearizable. So a closed,
// non-linearizable M is a genuine witness that H is not.
// Proof. Take a linearization L of H (it holds every ok op and the info ops
// that took effect). Build L' from L by keeping the ops of M, then moving to
// the end the info ops of M that had no effect in L (left out of L, or an
// info cas whose compare failed). L' respects real time: L does, and an info
// op returns at infinity, so nothing must follow it. Writes, appends and the
// moved info ops are always legal. For an observer o in L', show by induction
// along L that the state before o is the same in L' as in L:
//  - Registers. Let W be the last op before o in L that changed the state
//    (a write, or a cas that took effect), so W wrote what o saw. W precedes
//    o, so not (a); an ok write/cas s of M as in (b) would change the state
//    between W and o, so not (b); hence W is in M. W takes effect in L' too
//    (a write always does; a cas compares as in L, by induction). Every op of
//    M between W and o in L' also sits between them in L and changes nothing
//    there, and no such op changes anything in L' (the ineffective info cas
//    ops were moved to the end). No W: o saw the initial value, and likewise
//    nothing of M changes the state before o in L'.
//  - Append keys. The state before o is the value of the last write-like op W
//    (write, or cas that took effect) followed by the appends after it, each
//    contributing to what o saw; each is in M for the same reasons, and the
//    ops of M between W and o in L' are exactly those appends.
// Both rules only leave out writers that cannot be W or follow it, which
// keeps counterexamples small: a stale read of v needs the last writes of v
// before it, not every write of v in the run. Rule (b) would be just as sound
// with any ok write or cas as s; it is restricted to writers of what o saw so
// that a counterexample still shows where the value came from (a stale read
// keeps the write it saw, not only the overwrite).
//
// Closed sets are closed under union (each rule only gets easier with more
// ops), so every set S has a greatest closed subset, core(S): drop observers
// whose contributing writers are missing, until nothing changes (dropping ops
// can also drop a shadowing write of rule (b)). Shrinking removes an op
// together with what core() then drops, so every candidate is closed.
import type { Operation, Value } from './types.ts';

/** What an op's outcome depended on: an ok read's value, a cas's `from`; undefined for the others. */
export function observedValue(op: Operation): Value | undefined {
  if (op.f === 'read') return op.status === 'ok' ? op.output : undefined;
  if (op.f === 'cas') return (op.input as [Value, Value])[0];
  return undefined;
}

/** The value a write or cas leaves in the register, or an append's argument. */
export function writtenValue(op: Operation): Value | undefined {
  if (op.f === 'write' || op.f === 'append') return op.input as Value;
  if (op.f === 'cas') return (op.input as [Value, Value])[1];
  return undefined;
}

/** An op that takes effect in every linearization and replaces the state: rule (b)'s shadowing op. */
function resetsState(op: Operation): boolean {
  return op.status === 'ok' && (op.f === 'write' || op.f === 'cas');
}

/** The closure rule of one key's full history (see above). */
export class Closure {
  /** Whether the key holds appends: contributions are then substrings, not equal values. */
  readonly appends: boolean;
  private readonly writers: Operation[];
  private readonly byValue = new Map<Value, Operation[]>();
  private readonly needed = new Map<Operation, Operation[]>();

  constructor(private readonly history: Operation[]) {
    const happened = history.filter((op) => op.status !== 'fail');
    this.appends = happened.some((op) => op.f === 'append');
    this.writers = happened.filter((op) => writtenValue(op) !== undefined);
    for (const w of this.writers) {
      const v = writtenValue(w) as Value;
      let list = this.byValue.get(v);
      if (list === undefined) this.byValue.set(v, (list = []));
      list.push(w);
    }
  }

  /** Whether writer w could have built the value s. */
  contributes(w: Operation, s: Value): boolean {
    const x = writtenValue(w);
    if (x === undefined) return false;
    if (!this.appends) return x === s;
    if (w.f === 'append') {
      const token = String(x);
      return token !== '' && typeof s === 'string' && s.includes(token);
    }
    return x === s || (typeof x === 'string' && typeof s === 'string' && s.startsWith(x));
  }

  /** The writers of the history that contribute to what `o` saw and could precede it (rule (a) applied; rule (b)'s s is among them). */
  candidates(o: Operation): Operation[] {
    let list = this.needed.get(o);
    if (list === undefined) {
      const seen = observedValue(o);
      if (seen === undefined) list = [];
      else {
        const pool = this.appends ? this.writers : (this.byValue.get(seen) ?? []);
        list = pool.filter((w) => w !== o && w.call <= o.return && this.contributes(w, seen));
      }
      this.needed.set(o, list);
    }
    return list;
  }

  /** The greatest closed subset of `ops` (order kept). */
  core(ops: Operation[]): Operation[] {
    let current = ops;
    for (;;) {
      const present = new Set(current);
      const next = current.filter((o) => {
        const candidates = this.candidates(o);
        // Rule (b): the latest invoke among the state-resetting candidates in
        // M that completed before o began; writers done before it are shadowed.
        let shadow = -Infinity;
        for (const s of candidates) if (s.call > shadow && s.return < o.call && resetsState(s) && present.has(s)) shadow = s.call;
        return candidates.every((w) => present.has(w) || w.return < shadow);
      });
      if (next.length === current.length) return current;
      current = next;
    }
  }

  /**
   * `ops` with, for every observer among them, the writers it may have seen
   * (and theirs, for a cas): a closed superset, usually not much larger.
   * Order of `history`'s ops kept.
   */
  withWriters(ops: Operation[]): Operation[] {
    const members = new Set(ops);
    const todo = [...ops];
    while (todo.length > 0) {
      for (const w of this.candidates(todo.pop()!)) {
        if (members.has(w)) continue;
        members.add(w);
        todo.push(w);
      }
    }
    return this.history.filter((op) => members.has(op));
  }

  isClosed(ops: Operation[]): boolean {
    return this.core(ops).length === ops.length;
  }
}
