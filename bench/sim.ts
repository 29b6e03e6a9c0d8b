// `npm run bench -- sim`: the simulation engine.
// 1. Simulated runs per minute for the view-server design under every fault
//    but the loss of its view server (one nemesis per run, in turn), each run
//    20 s of virtual time, on every core (worker threads), for two
//    workloads: the one the issue set its target with (60 ops/s, 6 clients,
//    4 keys) and today's hot default.
// 2. For naive and failover: wall time and runs until the first violation
//    (seeds 1, 2, ... in order), and the size of its shrunk schedule.
import { availableParallelism } from 'node:os';
import { runBatch } from '../harness/sim/batch.ts';
import { shrinkSchedule, size } from '../harness/sim/shrink.ts';
import { loadSystem } from '../harness/system/definition.ts';
import { defaultWorkload, type Workload } from '../harness/torture/matrix.ts';
import { runOnce } from '../harness/torture/run.ts';

const VIEWSERVER_FAULTS = ['partition', 'isolate', 'isolate-primary', 'primary-viewserver', 'bridge', 'latency', 'kill', 'pause', 'lose', 'duplicate', 'reorder'];
const ISSUE_WORKLOAD: Partial<Workload> = { rate: 60, concurrency: 6, keys: 4 };
const RUNS_PER_FAULT = Number(process.env.BENCH_SIM_RUNS ?? 20);

async function runsPerMinute(label: string, workload: Workload): Promise<void> {
  const system = loadSystem('viewserver');
  let runs = 0;
  let violations = 0;
  const started = performance.now();
  for (const [i, nemesis] of VIEWSERVER_FAULTS.entries()) {
    const seeds = Array.from({ length: RUNS_PER_FAULT }, (_, k) => 1 + i * RUNS_PER_FAULT + k);
    const out = await runBatch({ system, nemesis, workload }, { seeds });
    runs += out.length;
    violations += out.filter((s) => s.valid === false).length;
  }
  const minutes = (performance.now() - started) / 60_000;
  process.stdout.write(
    `viewserver, ${label}: ${runs} runs (${RUNS_PER_FAULT} per fault × ${VIEWSERVER_FAULTS.length} faults) in ${(minutes * 60).toFixed(1)} s on ${availableParallelism()} cores: ${Math.round(runs / minutes)} runs/min, ${violations} violations\n`,
  );
}

async function firstViolation(name: string, nemesis: string): Promise<void> {
  const system = loadSystem(name);
  const base = { ...defaultWorkload, system, nemesis, runDir: '', command: '', engine: 'sim' as const, keepFiles: 'never' as const, explain: false };
  const started = performance.now();
  for (let seed = 1; seed <= 100; seed++) {
    const r = await runOnce({ ...base, seed });
    if (r.valid !== false) continue;
    const found = performance.now() - started;
    const t0 = performance.now();
    const shrunk = await shrinkSchedule(r.schedule, async (schedule) => (await runOnce({ ...base, seed, schedule })).valid === false, { timeLimitMs: 60_000, seed });
    const ops = shrunk.schedule.slots.flat().length;
    process.stdout.write(
      `${name} × ${nemesis}: first violation in run ${seed} after ${found.toFixed(0)} ms; shrunk from ${size(r.schedule)} to ${ops} operations and ${shrunk.schedule.cycles.length} fault cycles in ${shrunk.attempts} runs, ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
    );
    return;
  }
  process.stdout.write(`${name} × ${nemesis}: no violation in 100 runs\n`);
}

export async function run(): Promise<void> {
  await runsPerMinute('the issue\'s workload (60 ops/s, 6 clients, 4 keys)', { ...defaultWorkload, ...ISSUE_WORKLOAD });
  await runsPerMinute(`today's default (${defaultWorkload.rate} ops/s, ${defaultWorkload.concurrency} clients, ${defaultWorkload.keys} keys)`, defaultWorkload);
  for (const [name, nemesis] of [['naive', 'none'], ['naive', 'latency'], ['failover', 'partition']]) await firstViolation(name, nemesis);
}
