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
import { isPlantedBug } from '../viewserver/planted.ts';
import { checkSafety } from '../viewserver/simproperty.ts';
import type { Schedule } from '../viewserver/simsafety.ts';
import { raftDesign } from './simDesign.ts';

const RUNS = Number(process.env.SIM_RUNS ?? 100);

describe('raftvs design under targeted faults, view-service replicas included (in-memory network)', () => {
  it('every history is linearizable', { timeout: Math.max(90_000, RUNS * 600) }, () => {
    const { ok, total } = checkSafety({
      design: raftDesign({ planted: (process.env.SIM_PLANT ?? '').split(',').filter(isPlantedBug) }),
      replicatedViewService: true,
      runs: RUNS,
      seed: Number(process.env.SIM_SEED ?? 20260311),
      schedule: process.env.SIM_SCHEDULE ? (JSON.parse(process.env.SIM_SCHEDULE) as Schedule) : undefined,
      replaySeed: process.env.SIM_REPLAY ? Number(process.env.SIM_REPLAY) : undefined,
      shrinking: process.env.SIM_SHRINK !== '0',
    });
    // Not a liveness claim, only a guard against a test that checks nothing.
    expect(ok).toBeGreaterThan(total / 10);
  });
});
