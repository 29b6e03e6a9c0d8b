// A worker thread of simulated batches (batch.ts keeps it between batches):
// runs the seeds it is sent with no files and posts each run's summary back.
// Verdicts are the same as on the main thread: a run is a pure function of
// its inputs.
import { parentPort } from 'node:worker_threads';
import { simRunSummary, type BatchJob } from './batch.ts';

parentPort?.on('message', async (job: BatchJob | null) => {
  // null: closeBatchWorkers() is done with this thread.
  if (job === null) return void parentPort?.close();
  try {
    parentPort?.postMessage({ seed: job.seed, summary: await simRunSummary(job) });
  } catch (err) {
    parentPort?.postMessage({ seed: job.seed, error: (err as Error).message });
  }
});
