// Randomized safety: the whole view-server design on the in-memory network,
// under schedules of targeted nemeses (simsafety.ts: a deposed primary still
// reachable by its clients, paused across a view change, a split with a
// coordinator on each side, lost replies, crashes, noise). Whatever happens,
// the recorded history must be linearizable, judged by the real checker
// (simproperty.ts).
//
// Seeds come from fast-check (seeded with SIM_SEED, SIM_RUNS runs). On failure
// the message names the run's seed, a shrunk schedule (episodes that do not
// matter dropped) and how to replay either:
//   SIM_REPLAY=<run seed>          replays the whole run;
//   SIM_SCHEDULE='<json>'          replays exactly the printed schedule.
// SIM_PLANT=localReads,... turns on planted bugs (planted.ts) to measure how
// fast the property catches them; SIM_SHRINK=0 skips shrinking.
import { describe, expect, it } from 'vitest';
import { viewServerDesign } from './simcluster.ts';
import { checkSafety, optionsFromEnv } from './simproperty.ts';

const options = optionsFromEnv({ runs: 150, seed: 20261127 });

describe('view-server design under targeted faults (in-memory network)', () => {
  // About 25 ms per run on one core; long runs (SIM_RUNS=2000) get the time they need.
  it('every history is linearizable', { timeout: Math.max(60_000, options.runs * 250) }, () => {
    const { ok, total } = checkSafety({ ...options, design: viewServerDesign({ planted: options.planted }) });
    // Not a liveness claim, only a guard against a test that checks nothing.
    expect(ok).toBeGreaterThan(total / 10);
  });
});
