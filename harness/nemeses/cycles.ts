// Jepsen-style nemesis schedule: quiet, fault, heal, again, until the time
// limit; then heal whatever is still broken. Every start and stop is written
// into the history as a `nemesis` event. Durations and target choices come
// from a plan drawn from the run's seed, so a seed replays the schedule.
import fc from 'fast-check';
import type { Cluster } from '../engine/cluster.ts';
import type { HistoryRecorder } from '../recorder.ts';
import type { Fault, Nemesis } from './nemesis.ts';

export interface CycleTiming {
  /** Quiet time before each fault, ms. */
  quietMs: number;
  /** How long each fault lasts, ms. */
  faultMs: number;
}

export interface NemesisPlan {
  /**
   * Per cycle: quiet and fault durations (ms, ±25% around the timing) and
   * target picks; `atMs`, when set, starts the fault that many ms after the
   * cycles began instead of after the quiet time (a run records it, as the
   * workload records its operations' times).
   */
  cycles: Array<{ quietMs: number; faultMs: number; picks: number[]; atMs?: number }>;
}

/** The fewest cycles a plan is drawn with: runs that fit in them keep the plans they have always had. */
const MIN_PLAN_CYCLES = 64;

/**
 * Cycles enough for `durationMs` of faults, however short each is drawn
 * (75% of the timing), and never fewer than MIN_PLAN_CYCLES. A fixed 64
 * left a run longer than about 64 cycles (7 to 10 minutes at the default
 * timing) without faults for the rest of its time.
 */
export function planCycles(durationMs: number, timing: CycleTiming): number {
  const shortest = Math.max(1, Math.round(timing.quietMs * 0.75) + Math.round(timing.faultMs * 0.75));
  return Math.max(MIN_PLAN_CYCLES, Math.ceil(durationMs / shortest) + 1);
}

export function nemesisPlan(seed: number, timing: CycleTiming, cycles = MIN_PLAN_CYCLES): NemesisPlan {
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

export interface NemesisRunResult {
  /** Heals that failed even after retries (each also written into the history's stop event). */
  healErrors: string[];
  /** How many cycles of the plan got as far as starting their faults. */
  cyclesStarted: number;
}

/** Runs the cycles until `durationMs` has passed, and returns with everything healed (or says what is not). */
export async function runNemesisCycles(opts: NemesisRunOptions): Promise<NemesisRunResult> {
  const healErrors: string[] = [];
  let cyclesStarted = 0;
  if (opts.nemeses.length === 0) return { healErrors, cyclesStarted };
  const clock = opts.cluster.clock;
  const start = clock.now();
  const deadline = start + opts.durationMs;
  let active: ActiveFault[] = [];
  try {
    for (const cycle of opts.plan.cycles) {
      const quiet = cycle.atMs === undefined ? cycle.quietMs : start + cycle.atMs - clock.now();
      await clock.sleep(Math.min(deadline - clock.now(), quiet), opts.signal);
      if (clock.now() >= deadline || opts.signal?.aborted) break;
      cycle.atMs = clock.now() - start;
      let pickIndex = 0;
      cyclesStarted++;
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
      await clock.sleep(Math.min(deadline - clock.now(), cycle.faultMs), opts.signal);
      healErrors.push(...(await healAll(active, opts.recorder)));
      active = [];
      opts.onChange?.([]);
      if (clock.now() >= deadline || opts.signal?.aborted) break;
    }
  } finally {
    healErrors.push(...(await healAll(active, opts.recorder)));
    opts.onChange?.([]);
  }
  return { healErrors, cyclesStarted };
}

async function healAll(active: ActiveFault[], recorder: HistoryRecorder): Promise<string[]> {
  const errors: string[] = [];
  // Heal in reverse order of starting, each one even if another fails.
  for (const { nemesis, fault } of [...active].reverse()) {
    let error: string | undefined;
    try {
      await fault.heal();
    } catch (err) {
      error = (err as Error).message;
      errors.push(`${nemesis.name}: ${error}`);
    }
    recorder.nemesis(`stop-${nemesis.kind}`, error === undefined ? fault.value : { ...fault.value, healError: error });
  }
  active.length = 0;
  return errors;
}
