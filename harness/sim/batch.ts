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

/**
 * Worker threads kept between batches: a matrix of cells runs one batch per
 * cell, and starting a worker (in a checkout, loading the harness through
 * tsx) cost more than a 20-run batch's work. An idle worker is unref'd, so it
 * never keeps the process alive; one with a run in flight is ref'd, so the
 * process waits for its answer.
 */
interface PooledWorker {
  worker: Worker;
  /** The batch using it; null while idle. */
  onMessage: ((m: WorkerReply) => void) | null;
  onExit: (() => void) | null;
  dead: boolean;
}

interface WorkerReply {
  seed: number;
  summary?: RunSummary;
  error?: string;
}

const pool: PooledWorker[] = [];

function takeWorkers(boot: string, count: number): PooledWorker[] {
  for (let i = pool.length - 1; i >= 0; i--) if (pool[i].dead) pool.splice(i, 1);
  while (pool.filter((p) => p.onMessage === null).length < count) {
    const p: PooledWorker = { worker: new Worker(boot, { eval: true }), onMessage: null, onExit: null, dead: false };
    p.worker.unref();
    p.worker.on('message', (m: WorkerReply) => p.onMessage?.(m));
    // A worker that cannot start or dies hands its seed back to the main thread.
    p.worker.on('error', () => undefined);
    p.worker.on('exit', () => {
      p.dead = true;
      const exit = p.onExit;
      p.onMessage = p.onExit = null;
      exit?.();
    });
    pool.push(p);
  }
  return pool.filter((p) => p.onMessage === null).slice(0, count);
}

/** Live worker threads kept for the next batch. */
export function batchWorkerCount(): number {
  return pool.filter((p) => !p.dead).length;
}

/** Lets every idle kept worker end (they never keep the process alive, but a test may want them gone). */
export function closeBatchWorkers(): void {
  for (const p of pool) if (p.onMessage === null && !p.dead) p.worker.postMessage(null);
}

/** Runs seeds on worker threads; resolves with the seeds left undone. */
function inWorkers(boot: string, count: number, job: Omit<BatchJob, 'seed'>, seeds: number[], record: (s: RunSummary) => void, signal?: AbortSignal): Promise<number[]> {
  const queue = [...seeds];
  const inFlight = new Map<PooledWorker, number>();
  return new Promise((resolve, reject) => {
    let live = 0;
    let failed = false;
    const finish = () => {
      if (live > 0 || failed) return;
      resolve([...inFlight.values(), ...queue].sort((a, b) => seeds.indexOf(a) - seeds.indexOf(b)));
    };
    const release = (p: PooledWorker) => {
      p.onMessage = p.onExit = null;
      p.worker.unref();
      live--;
      finish();
    };
    const next = (p: PooledWorker) => {
      const seed = signal?.aborted || failed ? undefined : queue.shift();
      if (seed === undefined) return release(p);
      inFlight.set(p, seed);
      p.worker.postMessage({ ...job, seed } satisfies BatchJob);
    };
    for (const p of takeWorkers(boot, count)) {
      live++;
      p.worker.ref();
      p.onMessage = (m) => {
        if (m.error !== undefined) {
          failed = true;
          for (const x of inFlight.keys()) void x.worker.terminate();
          reject(new Error(`simulated run of seed ${m.seed} failed: ${m.error}`));
          return;
        }
        inFlight.delete(p);
        record(m.summary!);
        next(p);
      };
      p.onExit = () => {
        live--;
        finish();
      };
      next(p);
    }
  });
}
