// Plain-words explanations and shrinking, on small hand-made histories.
import { describe, expect, it } from 'vitest';
import { closeObservations, explain, minimize } from './explain.ts';
import { checkOperationsSync, type Operation, type Value } from './index.ts';

let nextId = 0;
function op(f: Operation['f'], status: Operation['status'], call: number, ret: number, input: Operation['input'], output: Value = null, process = nextId): Operation {
  const id = nextId++;
  return { id, process, f, key: 'x', input, output, status, call, return: status === 'info' ? Infinity : ret, invokeIndex: id, completeIndex: null };
}

function failureOf(ops: Operation[], initialValue: Value = null) {
  const result = checkOperationsSync(ops, { initialValue });
  expect(result.valid).toBe(false);
  return result.failures[0];
}

describe('explanations', () => {
  it('a stale read names the newer acknowledged write', () => {
    const f = failureOf([op('write', 'ok', 0, 1, 3, null, 1), op('write', 'ok', 2, 3, 5, null, 2), op('read', 'ok', 4, 5, null, 3, 7)]);
    expect(f.explanation).toBe('A read of key "x" by process 7 returned 3, but 5 was written by process 2 and acknowledged before the read began, after the only write of 3 had completed; nothing wrote 3 since.');
  });

  it('a read of a value nobody wrote says so', () => {
    const f = failureOf([op('write', 'ok', 0, 1, 1, null, 1), op('read', 'ok', 2, 3, null, 9, 4)]);
    expect(f.explanation).toMatch(/returned 9, but no operation wrote 9 and it is not the initial value/);
    expect(f.minimal.map((o) => o.output)).toEqual([9]);
  });

  it('a read from the future', () => {
    const f = failureOf([op('read', 'ok', 0, 1, null, 4, 1), op('write', 'ok', 2, 3, 4, null, 2)]);
    expect(f.explanation).toMatch(/began only after the read had completed/);
  });

  it('a lost update between two successful cas ops', () => {
    const f = failureOf([op('write', 'ok', 0, 1, 0), op('cas', 'ok', 2, 5, [0, 1]), op('cas', 'ok', 3, 6, [0, 2])]);
    expect(f.explanation).toMatch(/both saw 0, .*lost update/);
  });

  it('a read missing an acknowledged append', () => {
    const f = failureOf([op('append', 'ok', 0, 1, 'a'), op('append', 'ok', 2, 3, 'b', null, 5), op('read', 'ok', 4, 5, null, 'a', 6)], '');
    expect(f.explanation).toBe('A read of key "x" by process 6 returned "a", but the append of "b" by process 5 was acknowledged before the read began, and the value read does not contain it.');
  });

  it('otherwise lists the minimal operations', () => {
    expect(explain('x', [op('cas', 'ok', 0, 1, [4, 0]), op('cas', 'ok', 0, 1, [0, 4])], null)).toMatch(/^No single order of these 2 operations on key "x"/);
  });

  it('uses the initial value', () => {
    expect(checkOperationsSync([op('read', 'ok', 0, 1, null, '')], { initialValue: '' }).valid).toBe(true);
    expect(failureOf([op('read', 'ok', 0, 1, null, null)], '').explanation).toMatch(/returned nil, but no operation wrote nil/);
  });
});

describe('shrinking', () => {
  // Noise around a stale read: concurrent reads and writes of other values.
  const history = [
    op('write', 'ok', 0, 1, 1),
    op('read', 'ok', 0, 2, null, 1),
    op('write', 'ok', 3, 4, 2),
    op('write', 'info', 3, 0, 8),
    op('read', 'ok', 5, 6, null, 2),
    op('read', 'ok', 7, 8, null, 1),
    op('read', 'ok', 7, 9, null, 2),
  ];

  it('keeps the stale read, the write it saw and the write that overwrote it', () => {
    const stuck = history[5];
    const m = minimize(history, stuck, null, performance.now() + 5_000);
    expect(m.oneMinimal).toBe(true);
    expect(m.ops.map((o) => [o.f, o.input ?? o.output])).toEqual([
      ['write', 1],
      ['write', 2],
      ['read', 1],
    ]);
  });

  it('says when it ran out of time', () => {
    expect(minimize(history, history[5], null, performance.now() - 1).oneMinimal).toBe(false);
  });

  it('closing observations drops reads whose only writer was removed, keeps reads of values never written', () => {
    const w = op('write', 'ok', 0, 1, 1);
    const r1 = op('read', 'ok', 2, 3, null, 1);
    const r9 = op('read', 'ok', 2, 3, null, 9);
    expect(closeObservations([r1, r9], null, [w, r1, r9])).toEqual([r9]);
  });
});
