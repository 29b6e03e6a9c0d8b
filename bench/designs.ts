// Throughput and latency of each built-in design on loopback through the
// harness (real processes, the fault proxy on every link, no faults): a
// closed loop of 4 clients for 5 s each, what testing/measure.ts measured
// before the store's second harness went away.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseHistory } from '../checkers/index.ts';
import { builtinSystems, loadSystem } from '../harness/system/definition.ts';
import { defaultWorkload } from '../harness/torture/matrix.ts';
import { runOnce } from '../harness/torture/run.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CLIENTS = 4;

export async function run(): Promise<void> {
  for (const name of builtinSystems()) {
    const dir = mkdtempSync(join(tmpdir(), 'sb-bench-designs-'));
    try {
      const res = await runOnce({ ...defaultWorkload, system: loadSystem(name), nemesis: 'none', seed: 1, timeLimitS: SECONDS, concurrency: CLIENTS, rate: 100_000, recoveryMs: 200, runDir: dir, command: 'bench/designs.ts' });
      // Latency of ok operations: invoke to ok, per process.
      const started = new Map<number | string, number>();
      const ms: number[] = [];
      for (const e of parseHistory(readFileSync(res.historyPath!, 'utf8')).events) {
        if (e.process === 'nemesis') continue;
        if (e.type === 'invoke') started.set(e.process, e.time);
        else if (e.type === 'ok') ms.push((e.time - started.get(e.process)!) / 1e6);
      }
      ms.sort((a, b) => a - b);
      const q = (p: number) => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))]?.toFixed(2);
      process.stdout.write(`${name}: ${CLIENTS} clients, ${SECONDS} s: ${(res.ok / SECONDS).toFixed(0)} ok ops/s, ${res.fail + res.info} not ok, latency p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${q(1)} ms\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
