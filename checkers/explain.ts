// Turning a failing key into something a person can act on: a 1-minimal
// non-linearizable sub-history (delta debugging: remove chunks, then single
// operations, while the rest stays non-linearizable, until no single removal
// keeps it so) and one or two sentences in plain words.
import { reduceKey } from './reduce.ts';
import { newBudget, searchKey } from './search.ts';
import type { Operation, Value } from './types.ts';

/** Time for one candidate: a candidate the search cannot decide quickly is simply kept. */
const CANDIDATE_MS = 100;

/** 'illegal' | 'ok' | 'unknown' for a candidate sub-history. */
function verdictOf(ops: Operation[], initial: Value, deadline: number): 'illegal' | 'ok' | 'unknown' {
  const budget = newBudget(Math.min(CANDIDATE_MS, deadline - performance.now()));
  return searchKey(reduceKey(ops), initial, budget, false).result;
}

export interface Minimized {
  ops: Operation[];
  /** False when the time budget ran out before 1-minimality was established. */
  oneMinimal: boolean;
}

/** The value an op's outcome depends on: what an ok read returned, what a cas compared against. */
function dependsOn(op: Operation): Value | undefined {
  if (op.f === 'read') return op.status === 'ok' ? op.output : undefined;
  if (op.f === 'cas') return (op.input as [Value, Value])[0];
  return undefined;
}

/**
 * Drops the ops whose outcome depends on a value that no remaining op writes
 * although some op of the full history did: ok reads of it, and cas ops
 * comparing against it (an info cas can only take effect if its `from` was
 * there). Iterated, since a cas is also a writer. Shrinking works on such
 * closed sub-histories only; otherwise deleting the write a stale read saw
 * would "minimise" every failure to a lone read of a value nobody wrote, true
 * of the sub-history but useless and misleading about the real one. So
 * "removing one op" means removing it together with the ops that depended on
 * it alone. Append histories: see closeAppendObservations.
 */
export function closeObservations(ops: Operation[], initial: Value, original: Operation[]): Operation[] {
  if (original.some((op) => op.f === 'append')) return closeAppendObservations(ops, original);
  // A value nothing in the whole history wrote is itself the anomaly: ops depending on it stay.
  const everWritten = writtenValues(original);
  let current = ops;
  for (;;) {
    const written = writtenValues(current);
    const next = current.filter((op) => {
      const dep = dependsOn(op);
      return dep === undefined || dep === initial || written.has(dep) || !everWritten.has(dep);
    });
    if (next.length === current.length) return current;
    current = next;
  }
}

/**
 * Append histories: a read's value is a concatenation of written and appended
 * strings (Jepsen's kv workload uses unique tokens), so a read is dropped with
 * any removed write or append whose string it contains.
 */
function closeAppendObservations(ops: Operation[], original: Operation[]): Operation[] {
  const present = new Set(ops);
  const removedTokens = original
    .filter((op) => (op.f === 'append' || op.f === 'write') && !present.has(op) && typeof op.input === 'string' && op.input !== '')
    .map((op) => op.input as string);
  if (removedTokens.length === 0) return ops;
  return ops.filter((op) => !(op.f === 'read' && op.status === 'ok' && typeof op.output === 'string' && removedTokens.some((t) => (op.output as string).includes(t))));
}

function writtenValues(ops: Operation[]): Set<Value> {
  const written = new Set<Value>();
  for (const op of ops) {
    if (op.f === 'write') written.add(op.input as Value);
    else if (op.f === 'cas') written.add((op.input as [Value, Value])[1]);
  }
  return written;
}

/** Shrinks until `deadline` (performance.now() time). */
export function minimize(ops: Operation[], stuck: Operation, initial: Value, deadline: number): Minimized {
  const original = reduceKey(ops);
  let current = original;
  // Cheap first cut: the ops invoked before the stuck op returned often already fail.
  const cut = closeObservations(current.filter((op) => op.call <= stuck.return), initial, original);
  if (cut.length < current.length && verdictOf(cut, initial, deadline) === 'illegal') current = cut;
  let chunk = Math.max(1, current.length >> 1);
  for (;;) {
    let removed = false;
    // 1-minimality is proven only by a full pass of single removals that each came out linearizable.
    let undecided = false;
    for (let start = 0; start < current.length; ) {
      if (performance.now() > deadline) return { ops: current, oneMinimal: false };
      const candidate = closeObservations(current.slice(0, start).concat(current.slice(start + chunk)), initial, original);
      const verdict = candidate.length > 0 ? verdictOf(candidate, initial, deadline) : 'ok';
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

const show = (v: Value): string => (v === null ? 'nil' : JSON.stringify(v));

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

function writes(op: Operation, v: Value): boolean {
  if (op.f === 'write') return op.input === v;
  if (op.f === 'cas') return (op.input as [Value, Value])[1] === v;
  return false;
}
function writtenValue(op: Operation): Value | undefined {
  if (op.f === 'write' || op.f === 'append') return op.input as Value;
  if (op.f === 'cas') return (op.input as [Value, Value])[1];
  return undefined;
}

/** Plain-words explanation of a minimal failing sub-history of key `key`. */
export function explain(key: string, minimal: Operation[], initial: Value): string {
  const k = key === '' ? 'the register' : `key ${JSON.stringify(key)}`;
  // The observation that went wrong: a read (or a successful cas, which observes `from`).
  for (const obs of minimal) {
    let seen: Value;
    let what: string;
    if (obs.f === 'read' && obs.status === 'ok') {
      seen = obs.output;
      what = `A read of ${k} by process ${obs.process} returned ${show(seen)}`;
    } else if (obs.f === 'cas' && obs.status === 'ok') {
      seen = (obs.input as [Value, Value])[0];
      what = `A cas of ${k} by process ${obs.process} succeeded comparing against ${show(seen)}`;
    } else continue;
    if (minimal.some((o) => o.f === 'append')) {
      // Append registers: an acknowledged append must show up in every later read.
      // (and no write in the sub-history could have replaced the value between the two)
      const missing = minimal.find(
        (a) =>
          a.f === 'append' &&
          a.status === 'ok' &&
          a.return < obs.call &&
          typeof seen === 'string' &&
          !seen.includes(String(a.input)) &&
          !minimal.some((w) => w.f === 'write' && w.call <= obs.return && w.return >= a.call),
      );
      if (obs.f === 'read' && missing !== undefined) {
        return `${what}, but the append of ${show(missing.input as Value)} by process ${missing.process} was acknowledged before the read began, and the value read does not contain it.`;
      }
      break;
    }
    const sources = minimal.filter((o) => o !== obs && writes(o, seen));
    if (sources.length === 0 && seen !== initial) {
      return `${what}, but no operation wrote ${show(seen)} and it is not the initial value.`;
    }
    if (sources.length > 0 && seen !== initial && sources.every((s) => s.call > obs.return)) {
      const src = sources.length === 1 ? `the only write of ${show(seen)} (${describeOp(sources[0])})` : `every write of ${show(seen)}`;
      return `${what}, but ${src} began only after the ${obs.f} had completed: the ${obs.f} saw a value from the future.`;
    }
    // A newer value acknowledged before the observation began, after every source of `seen` had completed.
    const overwrite = minimal.find(
      (w) =>
        w !== obs &&
        w.status === 'ok' &&
        writtenValue(w) !== undefined &&
        writtenValue(w) !== seen &&
        w.return < obs.call &&
        sources.every((s) => s.return < w.call),
    );
    if (overwrite !== undefined) {
      const src = sources.length === 0 ? `${show(seen)} was only the initial value` : `after ${sources.length === 1 ? 'the only write' : 'every write'} of ${show(seen)} had completed`;
      return `${what}, but ${show(writtenValue(overwrite) as Value)} was written by process ${overwrite.process} and acknowledged before the ${obs.f} began${sources.length === 0 ? ` (and ${src})` : `, ${src}`}; nothing wrote ${show(seen)} since.`;
    }
  }
  // A lost update: two successful cas ops saw the same value, written once.
  if (!minimal.some((o) => o.f === 'append')) {
    const okCas = minimal.filter((o) => o.f === 'cas' && o.status === 'ok');
    for (let i = 0; i < okCas.length; i++) {
      for (let j = i + 1; j < okCas.length; j++) {
        const [fromA] = okCas[i].input as [Value, Value];
        const [fromB] = okCas[j].input as [Value, Value];
        if (fromA !== fromB) continue;
        const writers = minimal.filter((o) => o !== okCas[i] && o !== okCas[j] && writes(o, fromA));
        if (writers.length > 1) continue;
        const source = writers.length === 1 ? `one write of ${show(fromA)} (${describeOp(writers[0])})` : `the initial value ${show(fromA)}`;
        return `On ${k}, ${describeOp(okCas[i])} and ${describeOp(okCas[j])}: both saw ${show(fromA)}, but only ${source} could have preceded them, so whichever ran second should have seen the other's new value (a lost update).`;
      }
    }
  }
  const list = [...minimal].sort((a, b) => a.call - b.call).map(describeOp);
  return `No single order of these ${minimal.length} operations on ${k} respects both real time and register semantics: ${list.join('; ')}.`;
}
