import { describe, expect, it } from 'vitest';
import type { CheckResult, HistoryEvent, Operation } from '../../checkers/types.ts';
import { checkRun, firstViolation, tooLittleSuccess } from './verdict.ts';

let index = 0;
const ev = (time: number, process: number | 'nemesis', type: string, f: string, value: unknown = null): HistoryEvent =>
  ({ index: index++, time, process, type, f, key: 'x', value }) as HistoryEvent;

/** n sequential successful writes, each followed by a read of the value written, from `t0`, 10 ns apart: 2n ok operations. */
function okOps(n: number, t0 = 0): HistoryEvent[] {
  const out: HistoryEvent[] = [];
  for (let i = 0; i < n; i++) {
    const t = t0 + i * 10;
    out.push(ev(t, 0, 'invoke', 'write', i), ev(t + 2, 0, 'ok', 'write', i), ev(t + 4, 0, 'invoke', 'read'), ev(t + 6, 0, 'ok', 'read', i));
  }
  return out;
}

/** n sequential operations of one kind with one outcome, from `t0`. */
function ops(n: number, f: string, type: string, value: (i: number) => unknown, t0 = 0): HistoryEvent[] {
  return Array.from({ length: n }, (_, i) => [ev(t0 + i * 10, 1, 'invoke', f, f === 'read' ? null : value(i)), ev(t0 + i * 10 + 5, 1, type, f, value(i))]).flat();
}

describe('too little success is unknown, never a pass', () => {
  it('accepts a run with enough success', () => {
    expect(tooLittleSuccess(okOps(15))).toBeNull();
  });
  it('is about safety: nothing succeeding while a fault was active is unavailability, not too little success', () => {
    const outage = [ev(0, 'nemesis', 'info', 'start-pause'), ...ops(30, 'read', 'info', () => null, 1), ev(400, 'nemesis', 'info', 'stop-pause'), ...okOps(15, 500)];
    expect(tooLittleSuccess(outage)).toBeNull();
  });
  it('names each reason', () => {
    expect(tooLittleSuccess(okOps(5))).toMatch(/only 10 operations succeeded/);
    const mostlyFailed = [...okOps(15), ...Array.from({ length: 300 }, (_, i) => [ev(1000 + i, 1, 'invoke', 'read'), ev(1000 + i, 1, 'fail', 'read')]).flat()];
    expect(tooLittleSuccess(mostlyFailed)).toMatch(/only 30 of 330 operations succeeded/);
    expect(tooLittleSuccess(okOps(15), { read: 3, of: 4 })).toMatch(/final reads after healing answered only 3 of 4/);
  });
  // Issue 13, item 2: a store that refuses every write and cas (error 11) and answers every read "not found".
  it('a history in which no write succeeded is unknown however many reads succeeded', async () => {
    const refused = [...ops(40, 'write', 'fail', (i) => i % 10), ...ops(20, 'cas', 'fail', (i) => [i % 10, (i + 1) % 10], 1000), ...ops(184, 'read', 'ok', () => null, 2000)];
    expect(tooLittleSuccess(refused)).toMatch(/only 0 writes or cas succeeded \(need 5\)/);
    const v = await checkRun(refused, { timeoutMs: 5000 });
    expect(v.check?.valid).toBe(true); // linearizable, trivially
    expect(v.valid).toBe('unknown');
  });
  it('writes that no read ever saw are not a test either', () => {
    const unseen = [...ops(30, 'write', 'ok', (i) => i % 10), ...ops(30, 'read', 'ok', () => null, 1000), ...okOps(4, 2000)];
    expect(tooLittleSuccess(unseen)).toMatch(/only 4 successful reads returned a written value \(need 5\)/);
    // cas counts as a write, and a read of the value a cas wrote counts as observing it.
    const viaCas = [...okOps(4), ...ops(10, 'cas', 'ok', () => [3, 7], 1000), ...ops(10, 'read', 'ok', () => 7, 2000)];
    expect(tooLittleSuccess(viaCas)).toBeNull();
  });
  it('a checked history with too little success gets verdict unknown and the reason', async () => {
    const v = await checkRun(okOps(3), { timeoutMs: 5000 });
    expect(v.valid).toBe('unknown');
    expect(v.unknownReason).toMatch(/only 6 operations/);
  });
  it('a violation stands even when little succeeded', async () => {
    const h = [ev(0, 0, 'invoke', 'write', 1), ev(1, 0, 'ok', 'write', 1), ev(2, 1, 'invoke', 'read'), ev(3, 1, 'ok', 'read', 2)];
    const v = await checkRun(h, { timeoutMs: 5000 });
    expect(v.valid).toBe(false);
    expect(v.firstViolationNs).toBe(3);
  });
});

describe('time to first violation', () => {
  const op = (call: number, ret: number): Operation => ({ id: 0, process: 0, f: 'read', key: 'x', input: null, output: 1, status: 'ok', call, return: ret, invokeIndex: 0, completeIndex: 1 });
  it('is when the earliest unlinearizable operation completed (or was invoked, if it never did)', () => {
    const failure = (stuck: Operation) => ({ key: 'x', longestPrefix: [], stuck, minimal: [op(0, 1)], explanation: '' });
    const check = { valid: false, ops: 2, keys: 2, elapsedMs: 1, verdictMs: 1, perKey: [], failures: [failure(op(50, 70)), failure(op(40, Infinity))] } as CheckResult;
    expect(firstViolation(check)).toBe(40);
  });
});
