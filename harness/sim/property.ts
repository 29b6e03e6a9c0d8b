// A randomized safety property in simulation, for a system's own tests and for
// measuring how sharp those are: run i plays nemesis i mod k of a rotation
// with seed `seed + i`, every run on the simulation engine, judged in memory
// (runBatch). Each nemesis of the rotation is one fault shape that makes one
// bug class visible (Jepsen's lesson: a bug in a primary/backup design shows
// only in a narrow shape, which uniform noise rarely holds long enough), so a
// rotation of a few of them finds what any one alone would not. A failure is
// shrunk (shrink.ts) and written as a run folder that the user can read,
// check and replay.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkHistory, parseHistory, renderFailureText } from '../../checkers/index.ts';
import type { SystemDefinition } from '../system/definition.ts';
import { defaultWorkload, type Workload } from '../torture/matrix.ts';
import { runOnce } from '../torture/run.ts';
import { runBatch, type RunSummary } from './batch.ts';
import { shrinkSchedule, size } from './shrink.ts';

/**
 * The workload the targeted rotations are measured with: short runs, short
 * quiet gaps (a view change must complete between faults, no more), two keys
 * that many clients contend for (every write is a fresh value, so an operation
 * applied twice or late cannot pass for another write of the same value).
 */
export const targetedWorkload: Workload = {
  ...defaultWorkload,
  timeLimitS: 10,
  keys: 2,
  rate: 150,
  timing: { quietMs: 1000, faultMs: 2500 },
};

export interface PropertyOptions {
  system: SystemDefinition;
  /** The rotation, in --nemesis RUN syntax. */
  nemeses: string[];
  workload: Workload;
  /** Run i gets seed `seed + i`. */
  seed: number;
  signal?: AbortSignal;
}

export interface RotationRun {
  index: number;
  nemesis: string;
  seed: number;
}

export interface PlayedRun extends RotationRun {
  summary: RunSummary;
}

export function rotation(nemeses: string[], seed: number, from: number, count: number): RotationRun[] {
  return Array.from({ length: count }, (_, k) => ({ index: from + k, nemesis: nemeses[(from + k) % nemeses.length], seed: (seed + from + k) >>> 0 }));
}

/** Runs of the rotation, in memory, one batch per nemesis (spread over worker threads when large enough). */
export async function play(opts: PropertyOptions, runs: RotationRun[]): Promise<PlayedRun[]> {
  const played: PlayedRun[] = [];
  for (const nemesis of [...new Set(runs.map((r) => r.nemesis))]) {
    const mine = runs.filter((r) => r.nemesis === nemesis);
    const summaries = await runBatch({ system: opts.system, nemesis, workload: opts.workload }, { seeds: mine.map((r) => r.seed), signal: opts.signal });
    summaries.forEach((summary, i) => played.push({ ...mine[i], summary }));
  }
  return played.sort((a, b) => a.index - b.index);
}

/**
 * How many runs of the rotation until the first violation (null: none in
 * `max`), played `chunk` runs at a time so a bug caught early costs little.
 */
export async function runsUntilCaught(opts: PropertyOptions & { max: number; chunk?: number }): Promise<number | null> {
  const chunk = opts.chunk ?? 2 * opts.nemeses.length;
  for (let from = 0; from < opts.max; from += chunk) {
    const played = await play(opts, rotation(opts.nemeses, opts.seed, from, Math.min(chunk, opts.max - from)));
    const caught = played.find((p) => p.summary.valid === false);
    if (caught !== undefined) return caught.index + 1;
  }
  return null;
}

export interface Failure {
  run: PlayedRun;
  /** The shrunk run's folder (history.jsonl, results.json, report.html, schedule.json). */
  runDir: string;
  /** Operations plus faults, as found and shrunk. */
  fromSize: number;
  toSize: number;
  /** What to tell the user: the run, how to replay it, and the checker's explanation of the shrunk history. */
  report: string;
}

/** Shrinks a failing run of the rotation and writes it as a run folder under `outDir`. */
export async function explainFailure(opts: PropertyOptions, run: PlayedRun, shrinkMs: number, outDir = mkdtempSync(join(tmpdir(), 'sb-property-'))): Promise<Failure> {
  const base = { ...opts.workload, system: opts.system, nemesis: run.nemesis, seed: run.seed, command: '', engine: 'sim' as const };
  const found = run.summary.schedule ?? (await runOnce({ ...base, runDir: '', keepFiles: 'never', explain: false })).schedule;
  const shrunk = await shrinkSchedule(found, async (schedule) => (await runOnce({ ...base, runDir: '', keepFiles: 'never', explain: false, schedule })).valid === false, {
    timeLimitMs: shrinkMs,
    seed: run.seed,
  });
  const runDir = join(outDir, `${opts.system.name}-${run.nemesis}-${run.seed}`);
  const command = `npm run -s torture -- --sim --system ${opts.system.file} --nemesis '${run.nemesis}' --seed ${run.seed}`;
  const kept = await runOnce({ ...base, runDir, keepFiles: 'always', schedule: shrunk.schedule, command });
  const history = parseHistory(readFileSync(kept.historyPath!, 'utf8')).events;
  const check = await checkHistory(history, { timeoutMs: opts.workload.checkTimeoutMs });
  const explanation = check.valid === false ? renderFailureText(kept.historyPath!, check, 'ns') : `(the shrunk run's verdict is ${String(kept.valid)})`;
  const report = [
    `${opts.system.name}: run ${run.index} of the rotation (${run.nemesis}, seed ${run.seed}) is not linearizable`,
    `  the whole run: ${command}`,
    `  shrunk from ${size(found)} to ${size(kept.schedule)} operations and faults: ${runDir}`,
    `  replay it: npm run -s torture -- --replay ${kept.schedulePath}`,
    explanation,
  ].join('\n');
  return { run, runDir, fromSize: size(found), toSize: size(kept.schedule), report };
}

/**
 * Every run must match the system's claim (a linearizable system: every
 * history linearizable; an `unknown` is not a pass either). Returns the runs,
 * so the caller can see they did something, and the first failure, shrunk
 * and explained.
 */
export async function checkProperty(opts: PropertyOptions & { runs: number; shrinkMs?: number }): Promise<{ played: PlayedRun[]; failure: Failure | null; unknown: PlayedRun | null }> {
  const played = await play(opts, rotation(opts.nemeses, opts.seed, 0, opts.runs));
  const bad = played.find((p) => p.summary.valid === false);
  const unknown = played.find((p) => p.summary.valid === 'unknown') ?? null;
  return { played, failure: bad === undefined ? null : await explainFailure(opts, bad, opts.shrinkMs ?? 30_000), unknown };
}
