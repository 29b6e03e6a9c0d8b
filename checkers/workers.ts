// Searching several hard keys at once on worker threads (P-compositionality
// makes keys independent). It pays only when keys need seconds: starting a
// worker costs tens of milliseconds from the build, a few hundred when it
// compiles the TypeScript, so checkHistory calls this only for keys still
// open after the 1 s round.
//
// From the build (the package), a worker runs the .js beside this module.
// In a checkout it runs the TypeScript through tsx's loader, registered
// inside the worker (Node 20 does not pass --import hooks on to workers).
// Where that is not possible (no tsx, or a test runner with its own loader)
// the workers fail to start and the keys are searched on this thread as
// before: parallelism is an optimisation, never a requirement.
import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { KeyChecks } from './check.ts';
import type { KeyJob, KeyReply } from './key-worker.ts';
import type { Operation } from './types.ts';
import { DEFAULT_MAX_CACHE_BYTES, type SearchOutcome } from './search.ts';

/**
 * The `eval` code of a worker that runs the module at `moduleUrl`, through
 * tsx's loader when the module is TypeScript; null when no loader is there.
 */
export function workerBootCode(moduleUrl: string): string | null {
  if (!moduleUrl.endsWith('.ts')) return `import(${JSON.stringify(moduleUrl)});`;
  try {
    const tsx = import.meta.resolve('tsx/esm/api');
    return `import(${JSON.stringify(tsx)}).then((t) => { t.register(); return import(${JSON.stringify(moduleUrl)}); });`;
  } catch {
    return null;
  }
}

/** The module `name` (e.g. './key-worker') beside `moduleUrl`, in the same language: .ts in a checkout, .js in the build. */
export function sibling(moduleUrl: string, name: string): string {
  return new URL(name + extname(fileURLToPath(moduleUrl)), moduleUrl).href;
}

function bootCode(): string | null {
  return workerBootCode(sibling(import.meta.url, './key-worker'));
}

function fromWire(reply: KeyReply, ops: Operation[]): SearchOutcome {
  const o = reply.outcome;
  if (o.result !== 'illegal') return o;
  const byId = new Map(ops.map((op) => [op.id, op]));
  return { result: 'illegal', prefix: o.prefix.map((s) => ({ op: byId.get(s.id)!, before: s.before, after: s.after })), stuck: byId.get(o.stuck)! };
}

/** Searches run.pending keys on worker threads until done, the deadline, or a failure's grace period ends. */
export async function searchInWorkers(run: KeyChecks, signal?: AbortSignal): Promise<void> {
  const code = bootCode();
  if (code === null || performance.now() >= run.roundDeadline || signal?.aborted) return;
  const queue = [...run.pending];
  // Each key starts over in a worker: this thread's paused searches would only hold memory.
  for (const key of queue) run.release(key);
  const count = Math.min(queue.length, Math.max(1, availableParallelism()));
  // The memory budget is shared: each worker gets its part.
  const maxCacheBytes = Math.floor((run.options.maxCacheBytes ?? DEFAULT_MAX_CACHE_BYTES) / count);
  const workers: Worker[] = [];
  await new Promise<void>((resolve) => {
    let active = 0;
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', finish);
      for (const w of workers) void w.terminate();
      run.pending = run.undecided();
      resolve();
    };
    let timer = setTimeout(finish, Math.max(0, run.deadline - performance.now()));
    // An abort ends the search as the deadline would; checkHistory then rejects.
    signal?.addEventListener('abort', finish, { once: true });
    const retired = new Set<Worker>();
    const retire = (w: Worker) => {
      if (retired.has(w)) return;
      retired.add(w);
      if (--active === 0) finish();
    };
    const dispatch = (w: Worker) => {
      const until = run.roundDeadline;
      const key = queue.shift();
      if (key === undefined || performance.now() >= until) {
        retire(w);
        return;
      }
      const job: KeyJob = { key, ops: run.byKey.get(key)!, initial: run.initial, reduce: run.options.reduce !== false, timeoutMs: until - performance.now(), maxCacheBytes };
      w.postMessage(job);
    };
    for (let i = 0; i < count && !settled; i++) {
      const w = new Worker(code, { eval: true });
      workers.push(w);
      active++;
      w.on('message', (reply: KeyReply) => {
        run.record(reply.key, fromWire(reply, run.byKey.get(reply.key)!), reply.ms);
        if (run.failedAt !== Infinity) {
          // A failure caps the remaining time; re-arm the timer to the grace deadline.
          clearTimeout(timer);
          timer = setTimeout(finish, Math.max(0, run.roundDeadline - performance.now()));
        }
        dispatch(w);
      });
      // A worker that cannot start (no TypeScript loader here) or dies leaves its key
      // undecided; checkHistory then searches it on this thread.
      w.on('error', () => retire(w));
      w.on('exit', () => retire(w));
      dispatch(w);
    }
    // Every worker is owned here: whatever ends the search terminates them all.
    if (settled) for (const w of workers) void w.terminate();
  });
}
