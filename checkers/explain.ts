// Turning a failing key into something a person can act on: a closed,
// 1-minimal non-linearizable sub-history (delta debugging through closed
// sub-histories only, see closure.ts: remove chunks, then single operations,
// while the rest stays non-linearizable, until no single removal keeps it so)
// and one or two sentences in plain words that are true of the whole history.
import { Closure, observedValue, writtenValue } from './closure.ts';
import { showKey } from './keys.ts';
import { quote } from './quote.ts';
import { ValueTable } from './model.ts';
import { reduceKey } from './reduce.ts';
import { newBudget, searchKey } from './search.ts';
import type { Operation, Value } from './types.ts';

/** Time for one candidate: a candidate the search cannot decide quickly is simply kept. */
const CANDIDATE_MS = 100;
/** Ops in shrinking's first, smallest cut (see shrink). */
const FIRST_WINDOW = 8;

/** 'illegal' | 'ok' | 'unknown' for a candidate sub-history; `table` numbers the values of all of a key's candidates. */
function verdictOf(ops: Operation[], initial: Value, deadline: number, table: ValueTable): 'illegal' | 'ok' | 'unknown' {
  const budget = newBudget(Math.min(CANDIDATE_MS, deadline - performance.now()));
  return searchKey(reduceKey(ops, table), initial, budget, false, table).result;
}

export interface Minimized {
  ops: Operation[];
  /** False when the time budget ran out before 1-minimality (among closed sub-histories) was established. */
  oneMinimal: boolean;
}

/** Shrinks until `deadline` (performance.now() time), through closed sub-histories only (closure.ts). */
export function minimize(ops: Operation[], stuck: Operation, initial: Value, deadline: number): Minimized {
  const closure = new Closure(ops);
  const table = new ValueTable();
  // Already closed, so no core() of the whole key: reduce drops no writer an
  // observer may have seen (fail ops write nothing; rule 3 drops an info write
  // only when every observer of its value completed before it began), and
  // info reads observe nothing. property.test.ts checks it.
  const start = reduceKey(ops, table);
  // The stuck op pinned first, so the counterexample tells the same story as
  // the longest prefix; unpinned only if it turns out removable.
  const pin = start.includes(stuck) ? stuck : null;
  const pinned = shrink(start, pin, stuck, closure, initial, deadline, table);
  if (pin === null || !pinned.oneMinimal) return pinned;
  const without = closure.core(pinned.ops.filter((op) => op !== pin));
  const verdict = without.length > 0 ? verdictOf(without, initial, deadline, table) : 'ok';
  if (verdict === 'ok') return pinned;
  if (verdict === 'unknown') return { ops: pinned.ops, oneMinimal: false };
  return shrink(without, null, stuck, closure, initial, deadline, table);
}

/**
 * Delta debugging: remove chunks, then single ops (each with what core()
 * then drops), while the rest stays non-linearizable and holds `pin`.
 */
function shrink(from: Operation[], pin: Operation | null, stuck: Operation, closure: Closure, initial: Value, deadline: number, table: ValueTable): Minimized {
  let current = from;
  const accept = (candidate: Operation[]): 'illegal' | 'ok' | 'unknown' | 'pin' => {
    if (pin !== null && !candidate.includes(pin)) return 'pin';
    return candidate.length > 0 ? verdictOf(candidate, initial, deadline, table) : 'ok';
  };
  // Cheap first cuts. Only the ops invoked before the stuck op returned can
  // precede it; of those, the ones nearest it usually already fail, with the
  // writers of what they saw: windows of 8, 32, 128... ops, then all of them.
  const before = current.filter((op) => op.call <= stuck.return);
  for (let k = FIRST_WINDOW; ; k *= 4) {
    const window = before.slice(-k);
    if (pin !== null && !window.includes(pin)) window.push(pin);
    const cut = k < before.length ? closure.withWriters(window) : closure.core(before);
    if (cut.length < current.length && accept(cut) === 'illegal') {
      current = cut;
      break;
    }
    if (k >= before.length) break;
  }
  let chunk = Math.max(1, current.length >> 1);
  for (;;) {
    let removed = false;
    // 1-minimality is proven only by a full pass of single removals that each
    // came out linearizable (or dropped the pin, which a closed M - {x} with
    // x != pin never does).
    let undecided = false;
    for (let start = 0; start < current.length; ) {
      if (performance.now() > deadline) return { ops: current, oneMinimal: false };
      const candidate = closure.core(current.slice(0, start).concat(current.slice(start + chunk)));
      const verdict = accept(candidate);
      if (verdict === 'illegal') {
        current = candidate;
        removed = true;
      } else {
        if (verdict === 'unknown') undecided = true;
        start += chunk;
      }
    }
    if (chunk > 1) chunk = Math.max(1, chunk >> 1);
    else if (!removed) return { ops: current, oneMinimal: !undecided };
  }
}

/** A register value in text: nil, or quoted (escaped, and cut when long: --json keeps it whole). */
export const show = (v: Value): string => (v === null ? 'nil' : quote(v, 120));

export function describeOp(op: Operation): string {
  const who = `process ${op.process}`;
  const status = op.status === 'info' ? ' (outcome unknown)' : '';
  switch (op.f) {
    case 'read':
      return `read by ${who} returned ${show(op.output)}`;
    case 'write':
      return `write of ${show(op.input as Value)} by ${who}${status}`;
    case 'append':
      return `append of ${show(op.input as Value)} by ${who}${status}`;
    case 'cas': {
      const [from, to] = op.input as [Value, Value];
      return `cas ${show(from)}->${show(to)} by ${who}${op.status === 'ok' ? ' succeeded' : status}`;
    }
  }
}

/** How history times read in text: seconds since the run started (ns in the history), or line numbers (imported logs). */
export type TimeUnit = 'ns' | 'line';

export function formatTime(t: number, unit: TimeUnit = 'ns', digits = 3): string {
  if (t === Infinity) return '∞';
  return unit === 'line' ? `line ${t}` : `${(t / 1e9).toFixed(digits)} s`;
}

/** Two times with enough digits to tell them apart (a sentence saying "after" must not print equal times). */
function formatPair(a: number, b: number, unit: TimeUnit): [string, string] {
  let pair: [string, string] = ['', ''];
  for (const digits of [3, 6, 9]) {
    pair = [formatTime(a, unit, digits), formatTime(b, unit, digits)];
    if (pair[0] !== pair[1]) break;
  }
  return pair;
}

function writes(op: Operation, v: Value): boolean {
  return (op.f === 'write' || op.f === 'cas') && writtenValue(op) === v;
}

export interface ExplainContext {
  /** The key's whole history: every sentence is checked against it, not only against the sub-history. */
  history: Operation[];
  /** The op the search got stuck on: explained first when it is in the sub-history. */
  stuck?: Operation;
  unit?: TimeUnit;
}

/**
 * Plain-words explanation of a minimal failing sub-history of key `key`. Each
 * sentence states facts about the whole history (`context.history`), so it
 * stays true however the sub-history was shrunk: "the only write of 6" means
 * the only one in the run, not the only one left in the counterexample.
 */
export function explain(key: string, minimal: Operation[], initial: Value, context: ExplainContext): string {
  const k = showKey(key);
  const unit = context.unit ?? 'ns';
  const happened = context.history.filter((o) => o.status !== 'fail');
  const appendKey = happened.some((o) => o.f === 'append');
  const observers = context.stuck !== undefined && minimal.includes(context.stuck) ? [context.stuck, ...minimal.filter((o) => o !== context.stuck)] : minimal;
  // The observation that went wrong: a read (or a successful cas, which observes `from`).
  for (const obs of observers) {
    let what: string;
    if (obs.f === 'read' && obs.status === 'ok') what = `A read of ${k} by process ${obs.process} returned ${show(obs.output)}`;
    else if (obs.f === 'cas' && obs.status === 'ok') what = `A cas of ${k} by process ${obs.process} succeeded comparing against ${show(observedValue(obs) as Value)}`;
    else continue;
    const seen = observedValue(obs) as Value;
    if (appendKey) {
      // Append registers: an acknowledged append shows up in every later read,
      // unless a write (or cas) could have replaced the value in between; the
      // last such write would be a prefix of the value read.
      const missing = minimal.find(
        (a) =>
          a.f === 'append' &&
          a.status === 'ok' &&
          a.return < obs.call &&
          typeof seen === 'string' &&
          !seen.includes(String(a.input)) &&
          !happened.some((w) => {
            const x = writtenValue(w);
            return (w.f === 'write' || w.f === 'cas') && w.call <= obs.return && w.return >= a.call && (x === seen || (typeof x === 'string' && seen.startsWith(x)));
          }),
      );
      if (obs.f === 'read' && missing !== undefined) {
        return `${what}, but the append of ${show(missing.input as Value)} by process ${missing.process} was acknowledged before the read began, and the value read does not contain it.`;
      }
      continue;
    }
    // Every write of `seen` in the run, and those that began before the observation completed.
    const all = happened.filter((o) => o !== obs && writes(o, seen));
    const earlier = all.filter((o) => o.call <= obs.return);
    if (earlier.length === 0 && seen !== initial) {
      if (all.length === 0) return `${what}, but no operation wrote ${show(seen)} and it is not the initial value.`;
      const first = all.reduce((a, b) => (b.call < a.call ? b : a));
      const [done, began] = formatPair(obs.return, first.call, unit);
      const src =
        all.length === 1
          ? `the only write of ${show(seen)} (${describeOp(first)}) began at ${began}, after the ${obs.f} had completed at ${done}`
          : `every write of ${show(seen)} began after the ${obs.f} had completed at ${done} (the first, ${describeOp(first)}, at ${began})`;
      return `${what}, but ${src}: the ${obs.f} saw a value from the future.`;
    }
    // A newer value in place before the observation began, after every write
    // of `seen` that could precede the observation had completed: an
    // acknowledged write (or cas) of it, or else a read that returned it.
    const newer = (w: Operation): boolean =>
      w !== obs &&
      w.status === 'ok' &&
      (w.f === 'read' ? w.output : writtenValue(w)) !== seen &&
      w.return < obs.call &&
      earlier.every((s) => s.return < w.call);
    const overwrite = minimal.find((w) => (w.f === 'write' || w.f === 'cas') && newer(w)) ?? minimal.find((w) => w.f === 'read' && newer(w));
    if (overwrite !== undefined) {
      const [done, began] = formatPair(overwrite.return, obs.call, unit);
      const which = earlier.length > 1 ? `all ${earlier.length} earlier writes` : all.length === 1 ? 'the only write' : 'the only earlier write';
      const since = earlier.length === 0 ? ` (and ${show(seen)} was only the initial value)` : `, after ${which} of ${show(seen)} had completed`;
      if (overwrite.f !== 'read') {
        return `${what}, but ${show(writtenValue(overwrite) as Value)} was written by process ${overwrite.process} and acknowledged at ${done}, before the ${obs.f} began at ${began}${since}; nothing wrote ${show(seen)} since.`;
      }
      const after = earlier.length === 0 ? `, and ${show(seen)} was only the initial value` : `; that read began${since.slice(1)}`;
      return `${what}, but a read by process ${overwrite.process} returned ${show(overwrite.output)} and completed at ${done}, before this ${obs.f} began at ${began}${after}; nothing wrote ${show(seen)} since.`;
    }
  }
  // A lost update: two successful cas ops saw the same value, which only one write (or the initial state) could have provided.
  if (!appendKey) {
    const okCas = minimal.filter((o) => o.f === 'cas' && o.status === 'ok' && observedValue(o) !== writtenValue(o));
    for (let i = 0; i < okCas.length; i++) {
      for (let j = i + 1; j < okCas.length; j++) {
        const a = observedValue(okCas[i]) as Value;
        if (a !== observedValue(okCas[j])) continue;
        const writers = happened.filter((o) => o !== okCas[i] && o !== okCas[j] && writes(o, a) && (o.call <= okCas[i].return || o.call <= okCas[j].return));
        if (writers.length + (a === initial ? 1 : 0) !== 1) continue;
        const source = writers.length === 1 ? `one write of ${show(a)} (${describeOp(writers[0])})` : `the initial value ${show(a)}`;
        return `On ${k}, ${describeOp(okCas[i])} and ${describeOp(okCas[j])}: both saw ${show(a)}, but only ${source} could have preceded them, so whichever ran second should have seen the other's new value (a lost update).`;
      }
    }
  }
  const list = [...minimal].sort((a, b) => a.call - b.call).map(describeOp);
  return `No single order of these ${minimal.length} operations on ${k} respects both real time and register semantics: ${list.join('; ')}.`;
}
