// A small, brute-force linearizability check for the store's own tests (the
// real checker lives in checkers/, which system-under-test must not import).
// Per key, a depth-first search in the style of Wing & Gong / Lowe: at each
// step any pending operation invoked before the earliest pending return may go
// next, if the register model allows it; visited (done-set, state) pairs are
// memoised. Good for the few hundred operations an integration test records.
import type { Value } from '../runtime/protocol.ts';

export interface RecordedOp {
  process: number;
  f: 'read' | 'write' | 'cas';
  key: string;
  /** write: value; cas: [from, to]; read: unused. */
  input: Value | [Value, Value];
  /** read: the value read (null: key missing). */
  output: Value;
  /** ok: happened; fail: definitely did not; info: may have (returns at infinity). */
  status: 'ok' | 'fail' | 'info';
  call: number;
  return: number;
}

export type LinearizabilityResult = { ok: true } | { ok: false; key: string; ops: RecordedOp[] };

export function checkLinearizable(history: RecordedOp[]): LinearizabilityResult {
  const byKey = new Map<string, RecordedOp[]>();
  for (const op of history) {
    if (op.status === 'fail') continue; // did not happen
    if (op.f === 'read' && op.status === 'info') continue; // a read without a result constrains nothing
    const list = byKey.get(op.key) ?? [];
    list.push({ ...op, return: op.status === 'info' ? Infinity : op.return });
    byKey.set(op.key, list);
  }
  for (const [key, ops] of byKey) {
    if (!checkKey(ops)) return { ok: false, key, ops };
  }
  return { ok: true };
}

function step(state: Value, op: RecordedOp): Value | undefined {
  switch (op.f) {
    case 'read':
      return op.output === state ? state : undefined;
    case 'write':
      return op.input as Value;
    case 'cas': {
      const [from, to] = op.input as [Value, Value];
      return state === from ? to : undefined;
    }
  }
}

function checkKey(ops: RecordedOp[]): boolean {
  const n = ops.length;
  const required = ops.map((o) => o.status === 'ok');
  const done = new Array<boolean>(n).fill(false);
  const seen = new Set<string>();
  let remainingRequired = required.filter(Boolean).length;

  const search = (state: Value): boolean => {
    if (remainingRequired === 0) return true;
    const memo = `${JSON.stringify(state)}|${done.map((d) => (d ? 1 : 0)).join('')}`;
    if (seen.has(memo)) return false;
    seen.add(memo);
    let minReturn = Infinity;
    for (let i = 0; i < n; i++) if (!done[i] && ops[i].return < minReturn) minReturn = ops[i].return;
    for (let i = 0; i < n; i++) {
      // An op invoked at or after the earliest pending return cannot come before that op
      // (equal times count as after: a clock tick cannot order them, the client's program can).
      if (done[i] || (ops[i].call >= minReturn && ops[i].return !== minReturn)) continue;
      const next = step(state, ops[i]);
      if (next === undefined) continue;
      done[i] = true;
      if (required[i]) remainingRequired--;
      const found = search(next);
      done[i] = false;
      if (required[i]) remainingRequired++;
      if (found) return true;
    }
    return false;
  };
  return search(null);
}
