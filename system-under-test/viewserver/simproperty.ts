// The randomized safety property over fault schedules (simsafety.ts), shared
// by the view-server designs' safety tests and the planted-bug measurements:
// play a schedule, judge the history with the project's real checker, and on
// failure say how to replay it, with a shrunk schedule. Test support only.
import fc from 'fast-check';
import { checkRecorded, type RecordedVerdict } from '../testing/verdict.ts';
import { isPlantedBug, type PlantedBug } from './planted.ts';
import type { SimDesign } from './simcluster.ts';
import { describeSchedule, scheduleFor, shrink, simulate, type Schedule, type SimResult } from './simsafety.ts';

export function judge(schedule: Schedule, design: SimDesign): SimResult & { result: RecordedVerdict } {
  const run = simulate(schedule, design);
  return { ...run, result: checkRecorded(run.history, { repliesBeforeRequests: true, timeoutMs: 30_000 }) };
}

export function failureReport(schedule: Schedule, design: SimDesign, shrinking = true): string {
  const first = judge(schedule, design);
  const small = shrinking ? shrink(schedule, (s) => judge(s, design).result.valid === false) : schedule;
  const replay = small === schedule ? first : judge(small, design);
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

export interface PropertyOptions {
  design: SimDesign;
  replicatedViewService?: boolean;
  runs: number;
  seed: number;
  /** Replay exactly this schedule, or the run of this seed, instead of the random runs. */
  schedule?: Schedule;
  replaySeed?: number;
  shrinking?: boolean;
}

/**
 * What the safety tests read from the environment: SIM_RUNS, SIM_SEED (the
 * random runs), SIM_SCHEDULE (a printed schedule) or SIM_REPLAY (a run's
 * seed) to replay one run, SIM_SHRINK=0 to skip shrinking, SIM_PLANT=a,b to
 * plant bugs (for `design`'s options).
 */
export function optionsFromEnv(defaults: { runs: number; seed: number }): Omit<PropertyOptions, 'design'> & { planted: PlantedBug[] } {
  const env = process.env;
  return {
    runs: Number(env.SIM_RUNS ?? defaults.runs),
    seed: Number(env.SIM_SEED ?? defaults.seed),
    schedule: env.SIM_SCHEDULE ? (JSON.parse(env.SIM_SCHEDULE) as Schedule) : undefined,
    replaySeed: env.SIM_REPLAY ? Number(env.SIM_REPLAY) : undefined,
    shrinking: env.SIM_SHRINK !== '0',
    planted: (env.SIM_PLANT ?? '').split(',').filter(isPlantedBug),
  };
}

/**
 * Every history must be linearizable (an `unknown` from the checker is an
 * error too, not a pass). Throws the failure report; returns the operation
 * counts, so a caller can see that the runs did something.
 */
export function checkSafety(options: PropertyOptions): { ok: number; total: number } {
  const counts = { ok: 0, total: 0 };
  const check = (schedule: Schedule) => {
    const { history, result } = judge(schedule, options.design);
    counts.total += history.length;
    counts.ok += history.filter((o) => o.status === 'ok').length;
    if (result.valid === 'unknown') throw new Error(`run seed ${schedule.seed}: the checker ran out of time (not a verdict)`);
    if (result.valid !== true) throw new Error(failureReport(schedule, options.design, options.shrinking ?? true));
  };
  const forSeed = (seed: number) => scheduleFor(seed, { replicatedViewService: options.replicatedViewService });
  if (options.schedule !== undefined) check(options.schedule);
  else if (options.replaySeed !== undefined) check(forSeed(options.replaySeed));
  else {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => check(forSeed(seed))),
      { seed: options.seed, numRuns: options.runs, endOnFailure: true },
    );
  }
  return counts;
}

/** Plays the schedules of seeds from, from+1, ... and returns how many runs until one is not linearizable (null: none in `max`). */
export function runsUntilCaught(from: number, max: number, design: SimDesign, replicatedViewService = false): number | null {
  for (let i = 0; i < max; i++) {
    const { history } = simulate(scheduleFor(from + i, { replicatedViewService }), design);
    if (checkRecorded(history, { repliesBeforeRequests: true }).valid === false) return i + 1;
  }
  return null;
}
