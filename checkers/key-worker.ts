// A worker thread that searches whole keys for checkHistory (see workers.ts).
// Operations arrive by structured clone (Infinity survives); the outcome goes
// back with operation ids in place of objects.
import { parentPort } from 'node:worker_threads';
import { searchableOps } from './reduce.ts';
import { newBudget, searchKey } from './search.ts';
import type { Operation, Value } from './types.ts';

export interface KeyJob {
  key: string;
  ops: Operation[];
  initial: Value;
  reduce: boolean;
  timeoutMs: number;
  maxCacheBytes: number;
}

export type WireOutcome =
  | { result: 'ok' }
  | { result: 'unknown'; reason: 'timeout' | 'memory' }
  | { result: 'illegal'; prefix: { id: number; before: Value; after: Value }[]; stuck: number };

export interface KeyReply {
  key: string;
  outcome: WireOutcome;
  ms: number;
}

parentPort?.on('message', (job: KeyJob) => {
  const t0 = performance.now();
  const ops = searchableOps(job.ops, job.reduce);
  const outcome = searchKey(ops, job.initial, newBudget(job.timeoutMs, job.maxCacheBytes));
  const wire: WireOutcome =
    outcome.result === 'illegal'
      ? { result: 'illegal', prefix: outcome.prefix.map((s) => ({ id: s.op.id, before: s.before, after: s.after })), stuck: outcome.stuck.id }
      : outcome;
  const reply: KeyReply = { key: job.key, outcome: wire, ms: performance.now() - t0 };
  parentPort!.postMessage(reply);
});
