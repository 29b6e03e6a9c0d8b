// The randomized safety test is only worth its CI time if it catches the bug
// classes it was shaped for. Each planted bug (planted.ts) must be found within
// a small number of runs: measured means are 3 to 8 runs, at most 17 over 20
// starting seeds (simhunt.ts); the bound here is several times that.
// Also: schedules replay exactly, and shrinking keeps only what matters.
import { afterEach, describe, expect, it } from 'vitest';
import { checkRecorded } from '../testing/verdict.ts';
import { plant, type PlantedBug } from './planted.ts';
import { scheduleFor, shrink, simulate, type Schedule } from './simsafety.ts';

const CATCH_WITHIN = 60;

function firstFailingRun(from: number): number | null {
  for (let i = 0; i < CATCH_WITHIN; i++) {
    const { history } = simulate(scheduleFor(from + i));
    if (checkRecorded(history, { repliesBeforeRequests: true }).valid === false) return i + 1;
  }
  return null;
}

describe('the targeted safety schedules', () => {
  afterEach(() => plant([]));

  for (const bug of ['localReads', 'backupAnyView', 'retryNewIdentity'] as PlantedBug[]) {
    it(`catch the planted bug ${bug} within ${CATCH_WITHIN} runs`, { timeout: 60_000 }, () => {
      plant([bug]);
      expect(firstFailingRun(1000), `${bug} not caught`).not.toBeNull();
    });
  }

  it('replay exactly from a seed', () => {
    const a = simulate(scheduleFor(42));
    const b = simulate(scheduleFor(42));
    expect(b.history).toEqual(a.history);
    expect(b.faults).toEqual(a.faults);
    expect(a.faults.length).toBeGreaterThan(0);
  });

  it('shrink drops the episodes a failure does not need', () => {
    const schedule: Schedule = { ...scheduleFor(7), durationMs: 6000 };
    schedule.episodes = [
      { at: 100, ms: 500, kind: 'noise', arg: 0.1 },
      { at: 1000, ms: 1500, kind: 'depose', arg: 0.2 },
      { at: 3000, ms: 500, kind: 'slow', arg: 0.5 },
    ];
    // A stand-in failure: "fails" whenever a depose episode is present.
    const small = shrink(schedule, (s) => s.episodes.some((e) => e.kind === 'depose'));
    expect(small.episodes).toEqual([schedule.episodes[1]]);
    expect(small.durationMs).toBe(3000);
  });
});
