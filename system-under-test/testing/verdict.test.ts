import { describe, expect, it } from 'vitest';
import type { RecordedOp } from './recorder.ts';
import { checkRecorded } from './verdict.ts';

let n = 0;
const op = (f: RecordedOp['f'], input: RecordedOp['input'], output: RecordedOp['output'], call: number, ret: number, status: RecordedOp['status'] = 'ok'): RecordedOp => ({
  process: n++,
  f,
  key: 'x',
  input,
  output,
  status,
  call,
  return: ret,
});

// The adapter's mapping (ms -> ns, info returns at infinity, fail dropped, null
// initial value) decides these verdicts; the search itself is tested in checkers/.
describe('checkRecorded (recorded store-test histories, judged by checkers/)', () => {
  it('accepts a read concurrent with a write seeing either value', () => {
    expect(checkRecorded([op('write', 1, null, 0, 10), op('write', 2, null, 20, 30), op('read', null, 1, 25, 26)]).valid).toBe(true);
    expect(checkRecorded([op('write', 1, null, 0, 10), op('write', 2, null, 20, 30), op('read', null, 2, 25, 26)]).valid).toBe(true);
  });

  it('rejects a stale read after a completed write', () => {
    // Intervals are closed (as in Porcupine): a read invoked at the very instant the write returned is concurrent with it.
    expect(checkRecorded([op('write', 1, null, 0, 10), op('write', 2, null, 20, 30), op('read', null, 1, 30, 31)]).valid).toBe(true);
    expect(checkRecorded([op('write', 1, null, 0, 10), op('write', 2, null, 20, 30), op('read', null, 1, 30.5, 31)]).valid).toBe(false);
  });

  it('lets an indefinite write take effect late or never', () => {
    const w = op('write', 2, null, 5, 6, 'info');
    expect(checkRecorded([op('write', 1, null, 0, 1), w, op('read', null, 1, 10, 11), op('read', null, 2, 20, 21)]).valid).toBe(true);
    expect(checkRecorded([op('write', 1, null, 0, 1), w, op('read', null, 2, 10, 11), op('read', null, 1, 20, 21)]).valid).toBe(false);
  });

  it('drops failed operations and applies cas only from its expected value', () => {
    expect(checkRecorded([op('write', 1, null, 0, 1), op('cas', [1, 3], null, 2, 3), op('cas', [1, 4], null, 4, 5, 'fail'), op('read', null, 3, 6, 7)]).valid).toBe(true);
    expect(checkRecorded([op('write', 1, null, 0, 1), op('cas', [2, 3], null, 2, 3), op('read', null, 3, 6, 7)]).valid).toBe(false);
  });

  it('reads null before any write', () => {
    expect(checkRecorded([op('read', null, null, 0, 1), op('write', 1, null, 2, 3)]).valid).toBe(true);
    expect(checkRecorded([op('write', 1, null, 0, 1), op('read', null, null, 2, 3)]).valid).toBe(false);
  });

  it('orders a sim tick\'s replies before its requests only when asked', () => {
    const tick = [op('write', 1, null, 0, 10), op('write', 2, null, 20, 30), op('read', null, 1, 30, 40)];
    expect(checkRecorded(tick).valid).toBe(true);
    expect(checkRecorded(tick, { repliesBeforeRequests: true }).valid).toBe(false);
  });
});
