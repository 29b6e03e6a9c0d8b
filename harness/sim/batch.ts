// Many simulated runs of one cell (system × nemesis × workload), one per
// seed, spread over worker threads. Each run is judged in memory and comes
// back as a summary; the caller re-runs the few it wants on disk (a run is a
// pure function of its seed, so the re-run is the same run).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { sibling, workerBootCode } from '../../checkers/workers.ts';
import type { SystemDefinition } from '../system/definition.ts';
import type { Workload } from '../torture/matrix.ts';
import { runOnce, type RunResult } from '../torture/run.ts';
import type { RunSchedule } from '../torture/schedule.ts';

export interface BatchJob {
  system: SystemDefinition;
  nemesis: string;
  workload: Workload;
  seed: number;
}

export interface RunSummary {
  seed: number;
  valid: boolean | 'unknown';
  expected: boolean;
  matches: boolean;
  ops: number;
  ok: number;
  fail: number;
  info: number;
  unknownReason: string | null;
  firstViolationS: number | null;
  availability: RunResult['availability'];
  availabilityFailure: string | null;
  /** Kept only for runs that found a violation or do not match (shrinking needs it). */
  schedule: RunSchedule | null;
}

/** One simulated run, in memory only. */
export async function simRunSummary(job: BatchJob): Promise<RunSummary> {
  const r = await runOnce({ ...job.workload, system: job.system, nemesis: job.nemesis, seed: job.seed, runDir: '', command: '', engine: 'sim', keepFiles: 'never', explain: false });
  const interesting = r.valid === false || !r.matches || r.availabilityFailure !== null;
  return {
    seed: r.seed, valid: r.valid, expected: r.expected, matches: r.matches, ops: r.ops, ok: r.ok, fail: r.fail, info: r.info,
    unknownReason: r.unknownReason, firstViolationS: r.firstViolationS, availability: r.availability, availabilityFailure: r.availabilityFailure,
    schedule: interesting ? r.schedule : null,
  };
}

export interface BatchOptions {
  seeds: number[];
  /** Worker threads; default: one per core. Small batches run on this thread. */
  workers?: number;
  onRun?: (summary: RunSummary, done: number) => void;
  signal?: AbortSignal;
}

/** Below this many runs, starting workers (a TypeScript compile each, in a checkout) costs more than it saves. */
const MIN_RUNS_FOR_WORKERS = 8;

export async function runBatch(job: Omit<BatchJob, 'seed'>, opts: BatchOptions): Promise<RunSummary[]> {
  const results = new Map<number, RunSummary>();
  const record = (s: RunSummary) => {
    results.set(s.seed, s);
    opts.onRun?.(s, results.size);
  };
  const workers = Math.min(opts.workers ?? availableParallelism(), opts.seeds.length);
  const boot = workerBootCode(sibling(import.meta.url, './batchWorker'));
  let queue = [...opts.seeds];
  if (workers > 1 && opts.seeds.length >= MIN_RUNS_FOR_WORKERS && boot !== null) {
    queue = await inWorkers(boot, workers, job, queue, record, opts.signal);
  }
  // Whatever the workers did not do (none started, one died, or a small batch) runs here.
  for (const seed of queue) {
    if (opts.signal?.aborted) break;
    record(await simRunSummary({ ...job, seed }));
  }
  return opts.seeds.filter((s) => results.has(s)).map((s) => results.get(s)!);
}

/** Runs seeds on worker threads; resolves with the seeds left undone. */
function inWorkers(boot: string, count: number, job: Omit<BatchJob, 'seed'>, seeds: number[], record: (s: RunSummary) => void, signal?: AbortSignal): Promise<number[]> {
  const queue = [...seeds];
  const inFlight = new Map<Worker, number>();
  return new Promise((resolve, reject) => {
    let live = 0;
    const finish = () => {
      if (live > 0) return;
      resolve([...inFlight.values(), ...queue].sort((a, b) => seeds.indexOf(a) - seeds.indexOf(b)));
    };
    const next = (w: Worker) => {
      const seed = signal?.aborted ? undefined : queue.shift();
      if (seed === undefined) {
        inFlight.delete(w);
        w.postMessage(null);
        return;
      }
      inFlight.set(w, seed);
      w.postMessage({ ...job, seed } satisfies BatchJob);
    };
    for (let i = 0; i < count; i++) {
      const w = new Worker(boot, { eval: true });
      live++;
      w.on('message', (m: { seed: number; summary?: RunSummary; error?: string }) => {
        if (m.error !== undefined) {
          for (const x of inFlight.keys()) void x.terminate();
          reject(new Error(`simulated run of seed ${m.seed} failed: ${m.error}`));
          return;
        }
        inFlight.delete(w);
        record(m.summary!);
        next(w);
      });
      // A worker that cannot start or dies hands its seed back to the main thread.
      w.on('error', () => undefined);
      w.on('exit', () => {
        live--;
        finish();
      });
      next(w);
    }
  });
}
