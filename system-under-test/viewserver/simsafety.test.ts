// The randomized safety test is only worth its CI time if it catches the bug
// classes it was shaped for. Each planted bug (planted.ts) must be found within
// a small number of runs: measured means are 3 to 8 runs, at most 17 over 20
// starting seeds (simhunt.ts); the bound here is several times that.
// Also: schedules replay exactly, and shrinking keeps only what matters.
import { describe, expect, it } from 'vitest';
import { plantableBugs } from './planted.ts';
import { viewServerDesign } from './simcluster.ts';
import { runsUntilCaught } from './simproperty.ts';
import { scheduleFor, shrink, simulate, type Schedule } from './simsafety.ts';

const CATCH_WITHIN = 60;

describe('the targeted safety schedules', () => {
  for (const bug of plantableBugs(false)) {
    it(`catch the planted bug ${bug} within ${CATCH_WITHIN} runs`, { timeout: 60_000 }, () => {
      expect(runsUntilCaught(1000, CATCH_WITHIN, viewServerDesign({ planted: [bug] })), `${bug} not caught`).not.toBeNull();
    });
  }

  it('plant nothing unless asked: the design as written passes the same runs', { timeout: 60_000 }, () => {
    expect(runsUntilCaught(1000, 20, viewServerDesign())).toBeNull();
  });

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
