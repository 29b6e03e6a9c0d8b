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

function checkKey(unsorted: RecordedOp[]): boolean {
  // Sorted by invocation, so candidate scans can stop at the first op invoked too late.
  const ops = [...unsorted].sort((a, b) => a.call - b.call);
  const n = ops.length;
  const required = ops.map((o) => o.status === 'ok');
  const done = new Uint8Array(n);
  let remaining = required.filter(Boolean).length;
  let doneCount = 0;
  const seen = new Set<string>();

  const firstUndone = () => {
    let i = 0;
    while (i < n && done[i] === 1) i++;
    return i;
  };
  /** Earliest return among pending ops; ops invoked at or after it cannot go before it. */
  const minReturn = (from: number) => {
    let min = Infinity;
    for (let i = from; i < n && ops[i].call < min; i++) if (done[i] === 0 && ops[i].return < min) min = ops[i].return;
    return min;
  };
  /** The done set as "first undone index + done indices beyond it", plus the state. */
  const memoKey = (state: Value, first: number) => {
    const extra: number[] = [];
    const beyond = doneCount - first;
    for (let i = first + 1; extra.length < beyond && i < n; i++) if (done[i] === 1) extra.push(i);
    return `${JSON.stringify(state)}|${first}|${extra.join(',')}`;
  };

  interface Frame {
    state: Value;
    cursor: number;
    limit: number;
    /** The op applied to reach this frame (undone when the frame is abandoned), -1 at the root. */
    via: number;
  }
  const frameFor = (state: Value, via: number): Frame => {
    const first = firstUndone();
    return { state, cursor: first, limit: minReturn(first), via };
  };
  const stack: Frame[] = [frameFor(null, -1)];
  while (stack.length > 0) {
    if (remaining === 0) return true;
    const frame = stack[stack.length - 1];
    let advanced = false;
    while (frame.cursor < n) {
      const j = frame.cursor++;
      const op = ops[j];
      if (op.call > frame.limit) break;
      if (op.call === frame.limit && op.return !== frame.limit) continue;
      if (done[j] === 1) continue;
      const next = step(frame.state, op);
      if (next === undefined) continue;
      done[j] = 1;
      doneCount++;
      if (required[j]) remaining--;
      const key = memoKey(next, firstUndone());
      if (seen.has(key)) {
        done[j] = 0;
        doneCount--;
        if (required[j]) remaining++;
        continue;
      }
      seen.add(key);
      stack.push(frameFor(next, j));
      advanced = true;
      break;
    }
    if (advanced) continue;
    stack.pop();
    if (frame.via >= 0) {
      done[frame.via] = 0;
      doneCount--;
      if (required[frame.via]) remaining++;
    }
  }
  return false;
}
