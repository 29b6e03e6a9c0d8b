// Randomized safety of the view-server design on the simulation engine: a
// rotation of targeted nemeses (harness/sim/property.ts), each a fault shape
// that makes one bug class visible: a primary split off with one coordinator
// (split-primary), deposed but still reachable by one coordinator's clients
// (depose), answers lost behind the coordinators (lose-answers), paused
// across a view change (pause-primary), crashes (kill), isolation. Run i
// plays nemesis i mod k with seed SIM_SEED + i; every history must be
// linearizable, judged by the real checker (an `unknown` fails too). A
// failure is shrunk and written as a run folder; the message says how to
// replay it and what the checker found. SIM_RUNS, SIM_SEED.
// How sharp the rotation is: planted.sim.test.ts, `npm run bench -- sharpness`.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkProperty, targetedWorkload } from '../../harness/sim/property.ts';
import { loadSystem } from '../../harness/system/definition.ts';
import { TARGETED_ROTATION as ROTATION } from './testkit.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const runs = Number(process.env.SIM_RUNS ?? 24);
const seed = Number(process.env.SIM_SEED ?? 20261127);

describe('view-server design under targeted faults (simulation)', () => {
  for (const file of ['system.json', 'system-2backups.json']) {
    it(`every history is linearizable (${file}, ${runs} runs from seed ${seed})`, { timeout: Math.max(120_000, runs * 5_000) }, async () => {
      const { played, failure, unknown } = await checkProperty({ system: loadSystem(join(here, file)), nemeses: ROTATION, workload: targetedWorkload, seed, runs });
      if (failure !== null) throw new Error(failure.report);
      expect(unknown?.summary.unknownReason ?? null, `run ${unknown?.index} (${unknown?.nemesis}, seed ${unknown?.seed})`).toBeNull();
      // Not a liveness claim, only a guard against runs that test nothing.
      for (const p of played) expect(p.summary.ok, `${p.nemesis} seed ${p.seed}`).toBeGreaterThan(p.summary.ops / 10);
    });
  }
});
