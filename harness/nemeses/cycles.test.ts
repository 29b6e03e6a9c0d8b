// A run's nemesis plan lasts as long as the run: a fixed 64 cycles left a
// run longer than that (7 to 10 minutes at the default timing) fault-free
// for the rest of its time, and its verdict said nothing about faults.
import { describe, expect, it } from 'vitest';
import { loadSystem } from '../system/definition.ts';
import { defaultWorkload } from '../torture/matrix.ts';
import { runOnce } from '../torture/run.ts';
import { nemesisPlan, planCycles } from './cycles.ts';

describe('nemesis plans', () => {
  it('a run that fits in 64 cycles keeps the plan it always had', () => {
    const timing = defaultWorkload.timing;
    expect(planCycles(20_000, timing)).toBe(64);
    expect(nemesisPlan(7, timing, planCycles(20_000, timing))).toEqual(nemesisPlan(7, timing));
  });

  it('a 20-minute simulated run has faults until its end, past the 64th cycle', { timeout: 120_000 }, async () => {
    const timeLimitS = 1200;
    const r = await runOnce({
      ...defaultWorkload,
      timeLimitS,
      rate: 1,
      concurrency: 1,
      keys: 1,
      system: loadSystem('viewserver'),
      nemesis: 'partition',
      seed: 3,
      runDir: '',
      command: 'test',
      engine: 'sim',
      keepFiles: 'never',
      explain: false,
    });
    // Cycles of 9 s on average at the default timing: about 133 start in 20 minutes.
    expect(r.schedule.cycles.length).toBeGreaterThan(100);
    const lastFaultAtS = (r.schedule.cycles.at(-1)!.atMs ?? 0) / 1000;
    expect(lastFaultAtS).toBeGreaterThan(timeLimitS - 30);
  });
});
