import { describe, expect, it } from 'vitest';
import { checkLinearizable, type RecordedOp } from './linearizability.ts';

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

describe('checkLinearizable (test helper)', () => {
  it('accepts a read concurrent with a write seeing either value', () => {
    expect(checkLinearizable([op('write', 1, null, 0, 10), op('write', 2, null, 20, 30), op('read', null, 1, 25, 26)]).ok).toBe(true);
    expect(checkLinearizable([op('write', 1, null, 0, 10), op('write', 2, null, 20, 30), op('read', null, 2, 25, 26)]).ok).toBe(true);
  });

  it('rejects a stale read after a completed write', () => {
    expect(checkLinearizable([op('write', 1, null, 0, 10), op('write', 2, null, 20, 30), op('read', null, 1, 30, 31)]).ok).toBe(false);
  });

  it('lets an indefinite write take effect late or never', () => {
    const w = op('write', 2, null, 5, 6, 'info');
    expect(checkLinearizable([op('write', 1, null, 0, 1), w, op('read', null, 1, 10, 11), op('read', null, 2, 20, 21)]).ok).toBe(true);
    expect(checkLinearizable([op('write', 1, null, 0, 1), w, op('read', null, 2, 10, 11), op('read', null, 1, 20, 21)]).ok).toBe(false);
  });

  it('drops failed operations and applies cas only from its expected value', () => {
    expect(checkLinearizable([op('write', 1, null, 0, 1), op('cas', [1, 3], null, 2, 3), op('cas', [1, 4], null, 4, 5, 'fail'), op('read', null, 3, 6, 7)]).ok).toBe(true);
    expect(checkLinearizable([op('write', 1, null, 0, 1), op('cas', [2, 3], null, 2, 3), op('read', null, 3, 6, 7)]).ok).toBe(false);
  });

  it('reads null before any write', () => {
    expect(checkLinearizable([op('read', null, null, 0, 1), op('write', 1, null, 2, 3)]).ok).toBe(true);
    expect(checkLinearizable([op('write', 1, null, 0, 1), op('read', null, null, 2, 3)]).ok).toBe(false);
  });
});
