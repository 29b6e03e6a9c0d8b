// Randomized safety of the consensus-replicated design on the simulation
// engine: the view-server design's targeted rotation (../viewserver/
// safety.sim.test.ts) plus the faults this design claims to survive in its
// view service: a replica killed and restarted with its disk (together with a
// server), isolated, paused, and random halves. Every history must be
// linearizable (the real checker); SIM_RUNS, SIM_SEED as there.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkProperty, targetedWorkload } from '../../harness/sim/property.ts';
import { loadSystem } from '../../harness/system/definition.ts';
import { TARGETED_ROTATION } from '../viewserver/testkit.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const runs = Number(process.env.SIM_RUNS ?? 20);
const seed = Number(process.env.SIM_SEED ?? 20260311);
const rotation = [...TARGETED_ROTATION, 'kill-viewserver+kill', 'isolate-viewserver', 'pause-viewserver', 'partition'];

describe('raftvs design under targeted faults, view-service replicas included (simulation)', () => {
  it(`every history is linearizable (${runs} runs from seed ${seed})`, { timeout: Math.max(120_000, runs * 5_000) }, async () => {
    const { played, failure, unknown } = await checkProperty({ system: loadSystem(join(here, 'system.json')), nemeses: rotation, workload: targetedWorkload, seed, runs });
    if (failure !== null) throw new Error(failure.report);
    expect(unknown?.summary.unknownReason ?? null, `run ${unknown?.index} (${unknown?.nemesis}, seed ${unknown?.seed})`).toBeNull();
    for (const p of played) expect(p.summary.ok, `${p.nemesis} seed ${p.seed}`).toBeGreaterThan(p.summary.ops / 10);
  });
});
