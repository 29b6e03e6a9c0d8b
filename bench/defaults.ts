// `npm run bench -- defaults`: how often a default run catches bugs that need
// only concurrency, no fault (the example store's planted --racy-cas and
// --lost-update), on real processes, and how early: the reason the default
// workload is as hot as it is. BENCH_DEFAULTS_RUNS runs per bug (default 10),
// each with the default workload and BENCH_DEFAULTS_SECONDS of it (default 10).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSystem } from '../harness/system/definition.ts';
import { defaultWorkload } from '../harness/torture/matrix.ts';
import { runOnce } from '../harness/torture/run.ts';

const root = resolve(fileURLToPath(import.meta.url), '..', '..');
const RUNS = Number(process.env.BENCH_DEFAULTS_RUNS ?? 10);
const SECONDS = Number(process.env.BENCH_DEFAULTS_SECONDS ?? 10);

export async function run(): Promise<void> {
  process.stdout.write(`default workload: ${defaultWorkload.concurrency} clients, ${defaultWorkload.keys} keys, ${defaultWorkload.rate} ops/s; ${RUNS} runs of ${SECONDS} s per bug, no faults\n`);
  for (const bug of ['racy-cas', 'lost-update']) {
    const system = loadSystem(join(root, 'examples', 'kvstore', `system-${bug}.json`));
    const firsts: number[] = [];
    for (let seed = 1; seed <= RUNS; seed++) {
      const dir = mkdtempSync(join(tmpdir(), 'sb-bench-defaults-'));
      try {
        const r = await runOnce({ ...defaultWorkload, timeLimitS: SECONDS, system, nemesis: 'none', seed, runDir: dir, command: 'bench', explain: false });
        if (r.valid === false && r.firstViolationS !== null) firsts.push(r.firstViolationS);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    firsts.sort((a, b) => a - b);
    const med = firsts.length > 0 ? firsts[firsts.length >> 1].toFixed(1) : '-';
    process.stdout.write(`${bug}: caught in ${firsts.length} of ${RUNS} runs; first violation after ${firsts.map((t) => t.toFixed(1)).join(', ') || '-'} s (median ${med} s, counted from the run's start, cluster start included)\n`);
  }
}
