import { describe, expect, it } from 'vitest';
import type { CheckResult, HistoryEvent, Operation } from '../../checkers/types.ts';
import { checkRun, faultWindows, firstViolation, tooLittleSuccess } from './verdict.ts';

let index = 0;
const ev = (time: number, process: number | 'nemesis', type: string, f: string, value: unknown = null): HistoryEvent =>
  ({ index: index++, time, process, type, f, key: 'x', value }) as HistoryEvent;

/** n sequential successful writes then reads of the same value, from `t0`, 10 ns apart. */
function okOps(n: number, t0 = 0): HistoryEvent[] {
  const out: HistoryEvent[] = [];
  for (let i = 0; i < n; i++) {
    out.push(ev(t0 + i * 10, 0, 'invoke', 'write', i), ev(t0 + i * 10 + 5, 0, 'ok', 'write', i));
  }
  return out;
}

describe('fault windows', () => {
  it('pair start and stop events and count ok operations inside each', () => {
    const h = [ev(0, 'nemesis', 'info', 'start-partition'), ...okOps(3, 10), ev(100, 'nemesis', 'info', 'stop-partition'), ...okOps(2, 200)];
    expect(faultWindows(h)).toEqual([{ f: 'partition', startNs: 0, endNs: 100, ok: 3 }]);
  });
});

describe('too little success is unknown, never a pass', () => {
  it('accepts a run with enough success', () => {
    expect(tooLittleSuccess(okOps(30), [])).toBeNull();
  });
  it('names each reason', () => {
    expect(tooLittleSuccess(okOps(5), [])).toMatch(/only 5 operations succeeded/);
    const mostlyFailed = [...okOps(25), ...Array.from({ length: 300 }, (_, i) => [ev(1000 + i, 1, 'invoke', 'read'), ev(1000 + i, 1, 'fail', 'read')]).flat()];
    expect(tooLittleSuccess(mostlyFailed, [])).toMatch(/only 25 of 325 operations succeeded/);
    expect(tooLittleSuccess(okOps(30), [{ f: 'kill', startNs: 0, endNs: 2e9, ok: 0 }])).toMatch(/no operation succeeded while a fault was active/);
    expect(tooLittleSuccess(okOps(30), [], { read: 3, of: 4 })).toMatch(/final reads after healing answered only 3 of 4/);
  });
  it('a checked history with too little success gets verdict unknown and the reason', async () => {
    const v = await checkRun(okOps(3), { timeoutMs: 5000 });
    expect(v.valid).toBe('unknown');
    expect(v.unknownReason).toMatch(/only 3 operations/);
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
    const check = { valid: false, ops: 2, keys: 2, elapsedMs: 1, perKey: [], failures: [failure(op(50, 70)), failure(op(40, Infinity))] } as CheckResult;
    expect(firstViolation(check)).toBe(40);
  });
});
