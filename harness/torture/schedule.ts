// A run's schedule as data: what each client slot invokes, in order, and the
// nemesis cycles. Drawn from the seed for a fresh run (endless, lazy
// streams), recorded as it is consumed, and given back explicitly to replay
// a run or to try a smaller one while shrinking. schedule.json holds it.
import { readFileSync, writeFileSync } from 'node:fs';
import { nemesisPlan, planCycles, type NemesisPlan } from '../nemeses/cycles.ts';
import { registerSchedule, type KeyStyle, type RegisterOp } from '../workloads/register.ts';
import type { Workload } from './matrix.ts';

export interface RunSchedule {
  /** Per client slot, the operations it invokes, in order. */
  slots: RegisterOp[][];
  /** The nemesis cycles, in order. */
  cycles: NemesisPlan['cycles'];
}

/** What a run consumes: one operation stream per slot and the cycles, plus what was actually used. */
export interface ScheduleSource {
  streams: Iterator<RegisterOp>[];
  plan: NemesisPlan;
  /** The prefix of each stream consumed so far, and the cycles (all of them; trimmed by `used`). */
  used(cyclesStarted: number): RunSchedule;
}

export function scheduleSource(seed: number, w: Pick<Workload, 'concurrency' | 'keys' | 'rate' | 'timing' | 'timeLimitS'> & { keyStyle?: KeyStyle }, given?: RunSchedule): ScheduleSource {
  const base = given
    ? { streams: given.slots.map((ops) => ops[Symbol.iterator]()), plan: { cycles: given.cycles } }
    : { streams: registerSchedule({ seed, concurrency: w.concurrency, keys: w.keys, rate: w.rate, keyStyle: w.keyStyle }), plan: nemesisPlan(seed, w.timing, planCycles(w.timeLimitS * 1000, w.timing)) };
  // The run writes each operation's and cycle's actual moment (atMs) into what it is handed: copies, so
  // a schedule given here (a replay, a shrinking attempt) is never changed by running it.
  const taken: RegisterOp[][] = base.streams.map(() => []);
  const streams = base.streams.map((it, slot): Iterator<RegisterOp> => ({
    next: () => {
      const r = it.next();
      if (r.done) return r;
      // Not `{ ...r.value }`: the run adds atMs to it, and V8 adds a field to a spread's copy on a slow path (see Rpc.call).
      const op = Object.assign({}, r.value);
      taken[slot].push(op);
      return { done: false, value: op };
    },
  }));
  const plan = { cycles: base.plan.cycles.map((c) => ({ ...c })) };
  return {
    streams,
    plan,
    // Already copies, and a schedule given to a later run is copied again as it is consumed.
    used: (cyclesStarted) => ({ slots: taken, cycles: plan.cycles.slice(0, cyclesStarted) }),
  };
}

export interface ScheduleFile {
  splitbrainSchedule: 1;
  /** The definition file the run used. */
  system: string;
  nemesis: string;
  seed: number;
  engine: 'processes' | 'sim';
  workload: Workload;
  schedule: RunSchedule;
}

export function writeScheduleFile(path: string, file: Omit<ScheduleFile, 'splitbrainSchedule'>): void {
  writeFileSync(path, JSON.stringify({ splitbrainSchedule: 1, ...file }) + '\n');
}

export class ScheduleFileError extends Error {}

export function readScheduleFile(path: string): ScheduleFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ScheduleFileError(`${path}: cannot read a schedule: ${(err as Error).message}`);
  }
  const f = raw as ScheduleFile;
  const ok =
    typeof f === 'object' && f !== null && f.splitbrainSchedule === 1 && typeof f.system === 'string' && typeof f.nemesis === 'string' &&
    typeof f.seed === 'number' && typeof f.workload === 'object' && Array.isArray(f.schedule?.slots) && Array.isArray(f.schedule?.cycles);
  if (!ok) throw new ScheduleFileError(`${path}: not a splitbrain schedule.json (written by a failing run: system, nemesis, seed, workload, schedule)`);
  return f;
}
