// Randomized safety: the whole view-server design on the in-memory network,
// under schedules of targeted nemeses (simsafety.ts: a deposed primary still
// reachable by its clients, a primary paused across a view change, a split with
// a coordinator on each side, lost replies, crashes, noise). Whatever happens,
// the recorded history must be linearizable, judged by the real checker.
//
// Seeds come from fast-check (seeded with SIM_SEED, SIM_RUNS runs). On failure
// the message names the run's seed, a shrunk schedule (episodes that do not
// matter dropped) and how to replay either:
//   SIM_REPLAY=<run seed>          replays the whole run;
//   SIM_SCHEDULE='<json>'          replays exactly the printed schedule.
// SIM_PLANT=localReads,... turns on planted bugs (planted.ts) to measure how
// fast the property catches them; SIM_SHRINK=0 skips shrinking.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkRecorded } from '../testing/verdict.ts';
import { isPlantedBug, plant } from './planted.ts';
import { describeSchedule, scheduleFor, shrink, simulate, type Schedule } from './simsafety.ts';

function verdict(schedule: Schedule) {
  const run = simulate(schedule);
  const result = checkRecorded(run.history, { repliesBeforeRequests: true, timeoutMs: 30_000 });
  return { ...run, result };
}

function failureReport(schedule: Schedule): string {
  const first = verdict(schedule);
  const small = process.env.SIM_SHRINK === '0' ? schedule : shrink(schedule, (s) => verdict(s).result.valid === false);
  const replay = small === schedule ? first : verdict(small);
  return [
    `run seed ${schedule.seed} is not linearizable (replay: SIM_REPLAY=${schedule.seed})`,
    `shrunk schedule (replay: SIM_SCHEDULE='${JSON.stringify(small)}'):`,
    describeSchedule(small),
    replay.result.explanation,
    'faults:',
    ...replay.faults,
    'last node logs:',
    ...replay.logs.slice(-120),
  ].join('\n');
}

const RUNS = Number(process.env.SIM_RUNS ?? 150);

describe('view-server design under targeted faults (in-memory network)', () => {
  // About 25 ms per run on one core; long runs (SIM_RUNS=2000) get the time they need.
  it('every history is linearizable', { timeout: Math.max(60_000, RUNS * 250) }, () => {
    plant((process.env.SIM_PLANT ?? '').split(',').filter(isPlantedBug));
    try {
      let okOps = 0;
      let totalOps = 0;
      const check = (schedule: Schedule) => {
        const { history, result } = verdict(schedule);
        totalOps += history.length;
        okOps += history.filter((o) => o.status === 'ok').length;
        if (result.valid === 'unknown') throw new Error(`run seed ${schedule.seed}: the checker ran out of time (not a verdict)`);
        if (result.valid !== true) throw new Error(failureReport(schedule));
      };
      if (process.env.SIM_SCHEDULE) check(JSON.parse(process.env.SIM_SCHEDULE) as Schedule);
      else if (process.env.SIM_REPLAY) check(scheduleFor(Number(process.env.SIM_REPLAY)));
      else {
        fc.assert(
          fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => check(scheduleFor(seed))),
          { seed: Number(process.env.SIM_SEED ?? 20261127), numRuns: RUNS, endOnFailure: true },
        );
      }
      // Not a liveness claim, only a guard against a test that checks nothing.
      expect(okOps).toBeGreaterThan(totalOps / 10);
    } finally {
      plant([]);
    }
  });
});
