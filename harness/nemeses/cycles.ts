// Jepsen-style nemesis schedule: quiet, fault, heal, again, until the time
// limit; then heal whatever is still broken. Every start and stop is written
// into the history as a `nemesis` event. Durations and target choices come
// from a plan drawn from the run's seed, so a seed replays the schedule.
import fc from 'fast-check';
import type { Cluster } from '../cluster/cluster.ts';
import type { HistoryRecorder } from '../recorder.ts';
import type { Fault, Nemesis } from './nemesis.ts';
import { sleep } from '../sleep.ts';

export interface CycleTiming {
  /** Quiet time before each fault, ms. */
  quietMs: number;
  /** How long each fault lasts, ms. */
  faultMs: number;
}

export interface NemesisPlan {
  /** Per cycle: quiet and fault durations (ms, ±25% around the timing) and target picks. */
  cycles: Array<{ quietMs: number; faultMs: number; picks: number[] }>;
}

export function nemesisPlan(seed: number, timing: CycleTiming, cycles = 64): NemesisPlan {
  const around = (ms: number) => fc.integer({ min: Math.round(ms * 0.75), max: Math.round(ms * 1.25) });
  const cycle = fc.record({
    quietMs: around(timing.quietMs),
    faultMs: around(timing.faultMs),
    picks: fc.array(fc.nat({ max: 0x7fffffff }), { minLength: 16, maxLength: 16 }),
  });
  // A seed distinct from the workload's, derived from it, so the two streams do not mirror each other.
  const [plan] = fc.sample(fc.array(cycle, { minLength: cycles, maxLength: cycles }), { seed: (seed ^ 0x5eed) >>> 0, numRuns: 1 });
  return { cycles: plan };
}

export interface ActiveFault {
  nemesis: Nemesis;
  fault: Fault;
}

export interface NemesisRunOptions {
  nemeses: Nemesis[];
  cluster: Cluster;
  recorder: HistoryRecorder;
  plan: NemesisPlan;
  durationMs: number;
  signal?: AbortSignal;
  /** Told when faults start and stop, for the progress line. */
  onChange?: (active: string[]) => void;
}

/** Runs the cycles until `durationMs` has passed, and returns with everything healed. */
export async function runNemesisCycles(opts: NemesisRunOptions): Promise<void> {
  if (opts.nemeses.length === 0) return;
  const deadline = Date.now() + opts.durationMs;
  let active: ActiveFault[] = [];
  try {
    for (const cycle of opts.plan.cycles) {
      await sleep(Math.min(deadline - Date.now(), cycle.quietMs), opts.signal);
      if (Date.now() >= deadline || opts.signal?.aborted) break;
      let pickIndex = 0;
      const ctx = {
        cluster: opts.cluster,
        pick: (n: number) => cycle.picks[pickIndex++ % cycle.picks.length] % n,
      };
      for (const nemesis of opts.nemeses) {
        const fault = await nemesis.start(ctx);
        opts.recorder.nemesis(`start-${nemesis.kind}`, fault.value);
        active.push({ nemesis, fault });
      }
      opts.onChange?.(active.map((a) => a.nemesis.name));
      await sleep(Math.min(deadline - Date.now(), cycle.faultMs), opts.signal);
      await healAll(active, opts.recorder);
      active = [];
      opts.onChange?.([]);
      if (Date.now() >= deadline || opts.signal?.aborted) break;
    }
  } finally {
    await healAll(active, opts.recorder);
    opts.onChange?.([]);
  }
}

async function healAll(active: ActiveFault[], recorder: HistoryRecorder): Promise<void> {
  // Heal in reverse order of starting, each one even if another fails.
  for (const { nemesis, fault } of [...active].reverse()) {
    let error: string | undefined;
    try {
      await fault.heal();
    } catch (err) {
      error = (err as Error).message;
    }
    recorder.nemesis(`stop-${nemesis.kind}`, error === undefined ? fault.value : { ...fault.value, healError: error });
  }
  active.length = 0;
}
