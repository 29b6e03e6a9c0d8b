// `torture --sim`: every cell of the matrix as a batch of simulated runs, one
// per seed, judged in memory on worker threads. Run folders are written only
// for the runs worth reading: every run whose verdict does not match the
// claim, and the first violation of each cell, whose schedule is shrunk to
// the fewest operations and faults that still fail (the folder then holds
// the shrunk run, and `original/` the run as found). `--keep-all` writes
// every run's folder.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { runBatch, type RunSummary } from '../sim/batch.ts';
import { shrinkSchedule, size } from '../sim/shrink.ts';
import type { Cell } from './matrix.ts';
import { runOnce, type RunResult } from './run.ts';
import type { RunSchedule } from './schedule.ts';

/** fast-check's fine pass, after delta debugging: enough for values and timings, bounded so it ends. */
const FINE_ATTEMPTS = 300;

export interface SimCellResult {
  cell: Cell;
  summaries: RunSummary[];
  /** Runs written to disk, by seed. */
  kept: Map<number, KeptRun>;
}

export interface KeptRun {
  result: RunResult;
  /** Present when this run was shrunk: the run as found, and what shrinking did. */
  shrunk?: { original: RunResult; fromSize: number; toSize: number; attempts: number; interrupted: boolean };
}

export interface SimulateOptions {
  runs: number;
  seed: number;
  runDir: (cell: Cell, seed: number) => string;
  keepAll: boolean;
  /** Wall-clock budget for shrinking one failure. */
  shrinkMs: number;
  command: (cell: Cell, seed: number) => string;
  onProgress?: (cell: Cell, done: number, total: number, violations: number) => void;
  onShrink?: (cell: Cell, seed: number) => void;
  signal?: AbortSignal;
}

export async function simulateCell(cell: Cell, opts: SimulateOptions): Promise<SimCellResult> {
  const seeds = Array.from({ length: opts.runs }, (_, i) => (opts.seed + i) >>> 0);
  let violations = 0;
  const summaries = await runBatch(
    { system: cell.system, nemesis: cell.nemesis, workload: cell.workload },
    {
      seeds,
      signal: opts.signal,
      onRun: (s, done) => {
        if (s.valid === false) violations++;
        opts.onProgress?.(cell, done, seeds.length, violations);
      },
    },
  );
  const kept = new Map<number, KeptRun>();
  const firstViolation = summaries.find((s) => s.valid === false);
  for (const s of summaries) {
    if (opts.signal?.aborted) break;
    if (s === firstViolation) kept.set(s.seed, await keepShrunk(cell, s, opts));
    // A broken design's runs that missed are not worth a folder; a correct design's failures all are.
    else if (opts.keepAll || (s.expected && s.valid !== true) || s.availabilityFailure !== null) kept.set(s.seed, { result: await keepRun(cell, s.seed, opts.runDir(cell, s.seed), opts) });
  }
  return { cell, summaries, kept };
}

/** Writes one run's folder: the same run again (a pure function of its seed, or of the schedule given). */
function keepRun(cell: Cell, seed: number, runDir: string, opts: Pick<SimulateOptions, 'command'>, schedule?: RunSchedule): Promise<RunResult> {
  return runOnce({ ...cell.workload, system: cell.system, nemesis: cell.nemesis, seed, runDir, command: opts.command(cell, seed), engine: 'sim', keepFiles: 'always', schedule });
}

async function keepShrunk(cell: Cell, found: RunSummary, opts: SimulateOptions): Promise<KeptRun> {
  const runDir = opts.runDir(cell, found.seed);
  const original = await keepRun(cell, found.seed, join(runDir, 'original'), opts);
  opts.onShrink?.(cell, found.seed);
  const base = { ...cell.workload, system: cell.system, nemesis: cell.nemesis, seed: found.seed, runDir: '', command: '', engine: 'sim' as const, keepFiles: 'never' as const, explain: false };
  const shrink = await shrinkSchedule(
    original.schedule,
    async (schedule) => (await runOnce({ ...base, schedule })).valid === false,
    { timeLimitMs: opts.shrinkMs, fineAttempts: FINE_ATTEMPTS, seed: found.seed },
  );
  rmSync(join(runDir, 'history.jsonl'), { force: true });
  const result = await keepRun(cell, found.seed, runDir, opts, shrink.schedule);
  return { result, shrunk: { original, fromSize: size(original.schedule), toSize: size(result.schedule), attempts: shrink.attempts, interrupted: shrink.interrupted } };
}
