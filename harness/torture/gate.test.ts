import { describe, expect, it } from 'vitest';
import { judge, type GateRun } from './gate.ts';

const run = (system: string, expected: boolean, valid: GateRun['valid'], repetition = 0): GateRun => ({ system, expected, valid, repetition });

describe('the gate', () => {
  it('a linearizable claim must hold in every run; unknown is not a pass', () => {
    expect(judge([run('vs', true, true), run('vs', true, true)])).toEqual({ pass: true, standings: ['ok', 'ok'] });
    expect(judge([run('vs', true, true), run('vs', true, false)]).pass).toBe(false);
    expect(judge([run('vs', true, 'unknown')])).toEqual({ pass: false, standings: ['MISMATCH'] });
  });

  it('a broken design must be caught by at least one run of each repetition', () => {
    expect(judge([run('naive', false, true), run('naive', false, false)])).toEqual({ pass: true, standings: ['missed', 'ok'] });
    expect(judge([run('naive', false, true), run('naive', false, 'unknown')])).toEqual({ pass: false, standings: ['MISMATCH', 'MISMATCH'] });
    // Caught in repetition 0 says nothing about repetition 1.
    expect(judge([run('naive', false, false, 0), run('naive', false, true, 1)]).pass).toBe(false);
    // Another system being caught does not count.
    expect(judge([run('failover', false, false), run('naive', false, true)]).standings).toEqual(['ok', 'MISMATCH']);
  });

  it('a run that could not start fails the gate whatever the claim', () => {
    expect(judge([run('naive', false, false), run('naive', false, 'error')]).pass).toBe(false);
    expect(judge([run('vs', true, 'error')]).pass).toBe(false);
  });
});
