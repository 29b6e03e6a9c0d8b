// Shrinking a failing simulated run: its schedule (each slot's operations and
// the nemesis cycles, as data) is made smaller, re-running the simulation
// each time, towards the fewest operations and faults that still fail.
// Two passes, because a schedule has hundreds of operations and a failure
// usually needs a handful:
// 1. delta debugging (Zeller's ddmin) over the operations and cycles as one
//    list: remove large chunks first, halving the chunk size when no chunk
//    can go, so hundreds of operations fall in tens of runs;
// 2. fast-check, given the result as an example of an arbitrary built
//    around it, shrinks what ddmin cannot: single operations, delays, values
//    and fault durations. Every value lies inside the arbitrary's ranges, so
//    fast-check can shrink it without the context it would have had if it
//    had generated it.
import fc from 'fast-check';
import type { NemesisPlan } from '../nemeses/cycles.ts';
import type { RunSchedule } from '../torture/schedule.ts';
import type { RegisterOp } from '../workloads/register.ts';

export interface ShrinkOptions {
  /** Wall-clock budget for the whole shrink; the best schedule so far is kept when it runs out. */
  timeLimitMs: number;
  /** At most this many runs for fast-check's fine pass (default 500): its gains are small, its appetite is not. */
  fineAttempts?: number;
  seed: number;
}

export interface ShrinkResult {
  schedule: RunSchedule;
  /** Simulated runs tried while shrinking. */
  attempts: number;
  /** True when the budget ran out before fast-check had tried every smaller schedule. */
  interrupted: boolean;
}

/** The arbitrary of schedules no bigger than `s`, with the same slots, keys and value ranges. */
export function schedulesWithin(s: RunSchedule): fc.Arbitrary<RunSchedule> {
  const ops = s.slots.flat();
  const keys = [...new Set(ops.map((o) => o.key))];
  const values = ops.flatMap((o) => (o.f === 'cas' ? (o.value as number[]) : o.f === 'write' ? [o.value as number] : []));
  const maxValue = Math.max(0, ...values.filter((v) => typeof v === 'number'));
  const maxDelay = Math.max(0, ...ops.map((o) => o.delayMs));
  const maxAt = Math.max(0, ...ops.map((o) => o.atMs ?? 0));
  const key = keys.length > 0 ? fc.constantFrom(...keys) : fc.constant('k0');
  const value = fc.integer({ min: 0, max: maxValue });
  const delayMs = fc.integer({ min: 0, max: maxDelay });
  const atMs = fc.integer({ min: 0, max: maxAt });
  const op: fc.Arbitrary<RegisterOp> = fc.oneof(
    fc.record({ f: fc.constant('read' as const), key, value: fc.constant(null), delayMs, atMs }),
    fc.record({ f: fc.constant('write' as const), key, value, delayMs, atMs }),
    fc.record({ f: fc.constant('cas' as const), key, value: fc.tuple(value, value), delayMs, atMs }),
  );
  const cycles = s.cycles;
  const maxQuiet = Math.max(0, ...cycles.map((c) => c.quietMs));
  const maxFault = Math.max(0, ...cycles.map((c) => c.faultMs));
  const maxPick = Math.max(0, ...cycles.flatMap((c) => c.picks));
  const maxPicks = Math.max(0, ...cycles.map((c) => c.picks.length));
  const maxCycleAt = Math.max(0, ...cycles.map((c) => c.atMs ?? 0));
  const cycle: fc.Arbitrary<NemesisPlan['cycles'][number]> = fc.record({
    quietMs: fc.integer({ min: 0, max: maxQuiet }),
    faultMs: fc.integer({ min: 0, max: maxFault }),
    picks: fc.array(fc.integer({ min: 0, max: maxPick }), { maxLength: maxPicks }),
    atMs: fc.integer({ min: 0, max: maxCycleAt }),
  });
  return fc.record({
    slots: fc.tuple(...s.slots.map((slot) => fc.array(op, { maxLength: slot.length }))),
    cycles: fc.array(cycle, { maxLength: cycles.length }),
  }) as fc.Arbitrary<RunSchedule>;
}

/** Shrinks `found` while `stillFails` holds; `found` itself must fail. */
export async function shrinkSchedule(found: RunSchedule, stillFails: (s: RunSchedule) => Promise<boolean>, opts: ShrinkOptions): Promise<ShrinkResult> {
  const deadline = performance.now() + opts.timeLimitMs;
  let attempts = 0;
  const tries = async (s: RunSchedule) => {
    attempts++;
    return stillFails(s);
  };
  const coarse = await ddmin(found, tries, deadline);
  let best = coarse.schedule;
  const left = deadline - performance.now();
  if (left <= 0) return { schedule: best, attempts, interrupted: true };
  const fineLimit = attempts + (opts.fineAttempts ?? 500);
  let fineCut = false;
  const out = await fc.check(
    fc.asyncProperty(schedulesWithin(best), async (s) => {
      // Past the attempt budget every candidate "passes", which ends fast-check's shrinking where it is.
      if (attempts >= fineLimit) {
        fineCut = true;
        return true;
      }
      const fails = await tries(s);
      if (fails && size(s) <= size(best)) best = s;
      return !fails;
    }),
    { examples: [[best]], numRuns: 1, seed: opts.seed, ...(Number.isFinite(left) ? { interruptAfterTimeLimit: left } : {}), markInterruptAsFailure: false, endOnFailure: false },
  );
  const shrunk = out.failed && out.counterexample !== null ? out.counterexample[0] : best;
  return { schedule: size(shrunk) <= size(best) ? shrunk : best, attempts, interrupted: coarse.interrupted || out.interrupted || fineCut };
}

/** A schedule as one list of removable units: each operation of each slot, and each cycle. */
type Unit = { slot: number; op: RegisterOp } | { cycle: NemesisPlan['cycles'][number] };

function toUnits(s: RunSchedule): Unit[] {
  return [...s.slots.flatMap((ops, slot) => ops.map((op) => ({ slot, op }))), ...s.cycles.map((cycle) => ({ cycle }))];
}

/**
 * The schedule of the units kept (`keep[i]` for `all[i]`). Recorded
 * operations and cycles carry the moment they happened (`atMs`), so the
 * ones that remain happen when they did: a race that needed them at those
 * moments survives the removal of unrelated work.
 */
function fromUnits(all: Unit[], keep: boolean[], slots: number): RunSchedule {
  const out: RunSchedule = { slots: Array.from({ length: slots }, () => []), cycles: [] };
  all.forEach((u, i) => {
    if (!keep[i]) return;
    if ('cycle' in u) out.cycles.push(u.cycle);
    else out.slots[u.slot].push(u.op);
  });
  return out;
}

/** ddmin: the smallest list (1-minimal, time allowing) whose schedule still fails. */
async function ddmin(found: RunSchedule, fails: (s: RunSchedule) => Promise<boolean>, deadline: number): Promise<{ schedule: RunSchedule; interrupted: boolean }> {
  const slots = found.slots.length;
  const all = toUnits(found);
  const keep = all.map(() => true);
  const schedule = () => fromUnits(all, keep, slots);
  let n = 2;
  for (;;) {
    const kept = keep.flatMap((k, i) => (k ? [i] : []));
    if (kept.length < 2) break;
    const chunk = Math.ceil(kept.length / n);
    let removed = false;
    for (let start = 0; start < kept.length; start += chunk) {
      if (performance.now() >= deadline) return { schedule: schedule(), interrupted: true };
      const drop = kept.slice(start, start + chunk);
      for (const i of drop) keep[i] = false;
      if (await fails(schedule())) {
        n = Math.max(n - 1, 2);
        removed = true;
        break;
      }
      for (const i of drop) keep[i] = true;
    }
    if (removed) continue;
    if (n >= kept.length) break;
    n = Math.min(2 * n, kept.length);
  }
  return { schedule: schedule(), interrupted: false };
}

/** Operations plus faults: what shrinking makes smaller. */
export function size(s: RunSchedule): number {
  return s.slots.reduce((n, ops) => n + ops.length, 0) + s.cycles.length;
}
