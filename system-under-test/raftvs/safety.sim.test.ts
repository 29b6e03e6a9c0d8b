// Randomized safety of the consensus-replicated design on the in-memory
// network: the view-server design's targeted schedules (../viewserver/
// simsafety.ts: deposed, paused and split primaries, lost replies, crashes,
// noise) plus the faults this design claims to survive in its view service:
// a replica (the leader more often than not) killed and restarted with its
// disk, isolated, paused, or left in a minority with the primary and a
// coordinator. Every history must be linearizable (the real checker); the
// same environment variables replay and measure as for the view-server
// design's test (SIM_RUNS, SIM_SEED, SIM_REPLAY, SIM_SCHEDULE, SIM_PLANT,
// SIM_SHRINK).
import { describe, expect, it } from 'vitest';
import { checkSafety, optionsFromEnv } from '../viewserver/simproperty.ts';
import { raftDesign } from './simDesign.ts';

const options = optionsFromEnv({ runs: 100, seed: 20260311 });

describe('raftvs design under targeted faults, view-service replicas included (in-memory network)', () => {
  it('every history is linearizable', { timeout: Math.max(90_000, options.runs * 600) }, () => {
    const { ok, total } = checkSafety({ ...options, design: raftDesign({ planted: options.planted }), replicatedViewService: true });
    // Not a liveness claim, only a guard against a test that checks nothing.
    expect(ok).toBeGreaterThan(total / 10);
  });
});
