// How many operations per second the harness sustains against the view-server
// design: 10 client processes, no faults, no rate limit to speak of (the
// clients' think time is ~0), the full pipeline (proxies, recorder, workload)
// in the loop. Repeated, since other work shares the machine: best and spread.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSystem } from '../harness/system/definition.ts';
import { defaultWorkload } from '../harness/torture/matrix.ts';
import { runOnce } from '../harness/torture/run.ts';

const REPEATS = 3;
const SECONDS = 10;
const CLIENTS = 10;

export async function run(): Promise<void> {
  const system = loadSystem('viewserver');
  const figures: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'sb-bench-harness-'));
    try {
      const res = await runOnce({
        system,
        nemesis: 'none',
        seed: 1000 + i,
        ...defaultWorkload,
        timeLimitS: SECONDS,
        concurrency: CLIENTS,
        keys: 10,
        // High enough that think time (mean concurrency/rate s) is negligible: the clients run closed-loop.
        rate: 100_000,
        recoveryMs: 200,
        runDir: dir,
        command: 'bench/harness.ts',
      });
      const opsPerS = res.ok / SECONDS;
      figures.push(opsPerS);
      process.stdout.write(
        `run ${i + 1}: ${opsPerS.toFixed(0)} ok ops/s, ${(res.ops / SECONDS).toFixed(0)} invoked ops/s (${res.ops} invoked, ${res.ok} ok, ${res.fail} fail, ${res.info} info; verdict ${res.valid})\n`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const best = Math.max(...figures);
  const worst = Math.min(...figures);
  process.stdout.write(
    `\nharness vs viewserver, ${CLIENTS} clients, no faults, ${SECONDS} s each: best ${best.toFixed(0)} ok ops/s, spread ${worst.toFixed(0)}–${best.toFixed(0)} over ${REPEATS} runs\n`,
  );
}
