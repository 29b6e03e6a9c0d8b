// Turning a failing key into something a person can act on: a 1-minimal
// non-linearizable sub-history (delta debugging: remove chunks, then single
// operations, while the rest stays non-linearizable, until no single removal
// keeps it so) and one or two sentences in plain words.
import { reduceKey } from './reduce.ts';
import { newBudget, searchKey, type SearchBudget } from './search.ts';
import type { Operation, Value } from './types.ts';

/** 'illegal' | 'ok' | 'unknown' for a candidate sub-history. */
function verdictOf(ops: Operation[], initial: Value, budget: SearchBudget): 'illegal' | 'ok' | 'unknown' {
  return searchKey(reduceKey(ops), initial, budget, false).result;
}

export interface Minimized {
  ops: Operation[];
  /** False when the time budget ran out before 1-minimality was established. */
  oneMinimal: boolean;
}

/**
 * Drops observations nothing in `ops` explains: ok reads (and ok cas ops,
 * iterated, since a cas is also a writer) of a value that is neither the
 * initial value nor written by a remaining op. Shrinking works on such closed
 * sub-histories only; otherwise deleting the write a stale read saw would
 * "minimise" every failure to a lone read of a value nobody wrote, true of the
 * sub-history but useless and misleading about the real one. So "removing one
 * op" means removing it together with the observations only it explained.
 * Append histories are left as they are (values are concatenations).
 */
export function closeObservations(ops: Operation[], initial: Value, original: Operation[]): Operation[] {
  if (original.some((op) => op.f === 'append')) return closeAppendObservations(ops, original);
  // A read of a value nothing in the whole history wrote is itself the anomaly: always keep it.
  const everWritten = writtenValues(original);
  let current = ops;
  for (;;) {
    const written = writtenValues(current);
    written.add(initial);
    for (const op of current) if (op.status === 'ok') {
      const seen = op.f === 'read' ? op.output : op.f === 'cas' ? (op.input as [Value, Value])[0] : undefined;
      if (seen !== undefined && !everWritten.has(seen)) written.add(seen);
    }
    const next = current.filter((op) => {
      if (op.status !== 'ok') return true;
      if (op.f === 'read') return written.has(op.output);
      if (op.f === 'cas') return written.has((op.input as [Value, Value])[0]);
      return true;
    });
    if (next.length === current.length) return current;
    current = next;
  }
}

/**
 * Append histories: a read's value is a concatenation of appended strings
 * (Jepsen's kv workload appends unique tokens), so a read is dropped with
 * any removed append whose token it contains.
 */
function closeAppendObservations(ops: Operation[], original: Operation[]): Operation[] {
  const present = new Set(ops);
  const removedTokens = original
    .filter((op) => op.f === 'append' && !present.has(op) && typeof op.input === 'string' && op.input !== '')
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

export function minimize(ops: Operation[], stuck: Operation, initial: Value, timeoutMs: number): Minimized {
  const budget = newBudget(timeoutMs);
  const original = reduceKey(ops);
  let current = original;
  // Cheap first cut: the ops invoked before the stuck op returned often already fail.
  const cut = closeObservations(current.filter((op) => op.call <= stuck.return), initial, original);
  if (cut.length < current.length && verdictOf(cut, initial, budget) === 'illegal') current = cut;
  let chunk = Math.max(1, current.length >> 1);
  for (;;) {
    let removed = false;
    for (let start = 0; start < current.length; ) {
      if (performance.now() > budget.deadline) return { ops: current, oneMinimal: false };
      const candidate = closeObservations(current.slice(0, start).concat(current.slice(start + chunk)), initial, original);
      if (candidate.length > 0 && verdictOf(candidate, initial, budget) === 'illegal') {
        current = candidate;
        removed = true;
      } else {
        start += chunk;
      }
    }
    if (chunk > 1) chunk = Math.max(1, chunk >> 1);
    else if (!removed) return { ops: current, oneMinimal: true };
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
    if (minimal.some((o) => o.f === 'append')) break;
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
      const src = sources.length === 0 ? `${show(seen)} was only the initial value` : `every write of ${show(seen)} had completed before it began`;
      return `${what}, but ${show(writtenValue(overwrite) as Value)} was written by process ${overwrite.process} and acknowledged before the ${obs.f} began, and ${src}: nothing wrote ${show(seen)} since.`;
    }
  }
  const list = [...minimal].sort((a, b) => a.call - b.call).map(describeOp);
  return `No single order of these ${minimal.length} operations on ${k} respects both real time and register semantics: ${list.join('; ')}.`;
}
