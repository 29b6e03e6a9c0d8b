import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadSystem } from '../system/definition.ts';
import { defaultWorkload } from '../torture/matrix.ts';
import { batchWorkerCount, closeBatchWorkers, runBatch, simRunSummary } from './batch.ts';

const job = { system: loadSystem('viewserver'), nemesis: 'partition', workload: { ...defaultWorkload, timeLimitS: 3, rate: 40, concurrency: 3, keys: 2 } };
const seeds = (from: number) => Array.from({ length: 8 }, (_, i) => from + i);

describe('simulated batches on worker threads', () => {
  it('keeps its workers for the next batch, and a worker gives the same summary as this thread', async () => {
    const first = await runBatch(job, { seeds: seeds(1), workers: 2 });
    expect(first.map((s) => s.seed)).toEqual(seeds(1));
    expect(batchWorkerCount()).toBe(2);
    const second = await runBatch(job, { seeds: seeds(101), workers: 2 });
    expect(batchWorkerCount()).toBe(2); // reused, none started
    expect(second.find((s) => s.seed === 104)).toEqual(await simRunSummary({ ...job, seed: 104 }));
    closeBatchWorkers();
    while (batchWorkerCount() > 0) await new Promise((r) => setTimeout(r, 20));
  }, 120_000);

  it('a process whose batches are done exits by itself: kept workers do not hold it', async () => {
    const batch = fileURLToPath(new URL('./batch.ts', import.meta.url));
    const definition = fileURLToPath(new URL('../system/definition.ts', import.meta.url));
    const script = `
      const { runBatch } = await import(${JSON.stringify(batch)});
      const { loadSystem } = await import(${JSON.stringify(definition)});
      const out = await runBatch({ ...${JSON.stringify({ nemesis: job.nemesis, workload: job.workload })}, system: loadSystem('viewserver') }, { seeds: [1, 2, 3, 4, 5, 6, 7, 8], workers: 2 });
      console.log('done', out.length);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    const [code] = await once(child, 'exit');
    expect(out.trim()).toBe('done 8');
    expect(code).toBe(0);
  }, 120_000);
});
