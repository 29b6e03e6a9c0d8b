// `npm run bench -- sim`: the simulation engine.
// 1. Simulated runs per minute for the view-server design under every fault
//    but the loss of its view server (one nemesis per run, in turn), each run
//    20 s of virtual time, on every core (worker threads), for two
//    workloads: the one the issue set its target with (60 ops/s, 6 clients,
//    4 keys) and today's hot default. The runs are the build's (dist/, what
//    users run; rebuilt first when a source is newer), as in the other
//    sections that time the CLI: in a checkout, the TypeScript through tsx
//    costs more per run and each worker compiles it at start-up. The issue's
//    workload is measured twice: cold (the first batches of the process,
//    starting the worker threads and warming up the JIT) and then steady
//    (warm workers, at least 1,000 runs), with the CPU time every thread of
//    the process spent per run beside the wall-clock rate.
// 2. For naive and failover: wall time and runs until the first violation
//    (seeds 1, 2, ... in order), and the size of its shrunk schedule.
import { availableParallelism } from 'node:os';
import { shrinkSchedule, size } from '../harness/sim/shrink.ts';
import type * as Batch from '../harness/sim/batch.ts';
import type * as Definition from '../harness/system/definition.ts';
import { loadSystem } from '../harness/system/definition.ts';
import { defaultWorkload, type Workload } from '../harness/torture/matrix.ts';
import { runOnce } from '../harness/torture/run.ts';
import { builtModule } from './built.ts';

const VIEWSERVER_FAULTS = ['partition', 'isolate', 'isolate-primary', 'primary-viewserver', 'bridge', 'latency', 'kill', 'pause', 'lose', 'duplicate', 'reorder'];
const ISSUE_WORKLOAD: Partial<Workload> = { rate: 60, concurrency: 6, keys: 4 };
/** Runs per fault of a cold pass, and of the default workload's pass. */
const RUNS_PER_FAULT = Number(process.env.BENCH_SIM_RUNS ?? 20);
/** Runs per fault of the steady pass: 1,100 runs in all. */
const STEADY_RUNS_PER_FAULT = Number(process.env.BENCH_SIM_STEADY_RUNS ?? 100);

interface Built {
  runBatch: typeof Batch.runBatch;
  loadSystem: typeof Definition.loadSystem;
}

async function loadBuilt(): Promise<Built> {
  const batch = (await import(builtModule('harness/sim/batch.js'))) as typeof Batch;
  const definition = (await import(builtModule('harness/system/definition.js'))) as typeof Definition;
  return { runBatch: batch.runBatch, loadSystem: definition.loadSystem };
}

async function runsPerMinute(built: Built, label: string, workload: Workload, runsPerFault: number, firstSeed: number): Promise<void> {
  const system = built.loadSystem('viewserver');
  let runs = 0;
  let violations = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (const [i, nemesis] of VIEWSERVER_FAULTS.entries()) {
    const seeds = Array.from({ length: runsPerFault }, (_, k) => firstSeed + i * runsPerFault + k);
    const out = await built.runBatch({ system, nemesis, workload }, { seeds });
    runs += out.length;
    violations += out.filter((s) => s.valid === false).length;
  }
  const minutes = (performance.now() - started) / 60_000;
  const used = process.cpuUsage(cpu);
  const cpuMsPerRun = (used.user + used.system) / 1000 / runs;
  process.stdout.write(
    `viewserver, ${label}: ${runs} runs (${runsPerFault} per fault × ${VIEWSERVER_FAULTS.length} faults) in ${(minutes * 60).toFixed(1)} s on ${availableParallelism()} cores: ${Math.round(runs / minutes)} runs/min, ${cpuMsPerRun.toFixed(1)} ms of CPU per run, ${violations} violations\n`,
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
  const built = await loadBuilt();
  const issue = { ...defaultWorkload, ...ISSUE_WORKLOAD };
  await runsPerMinute(built, "the issue's workload (60 ops/s, 6 clients, 4 keys), cold: starting workers", issue, RUNS_PER_FAULT, 1);
  await runsPerMinute(built, "the issue's workload, steady: warm workers", issue, STEADY_RUNS_PER_FAULT, 1 + RUNS_PER_FAULT * VIEWSERVER_FAULTS.length);
  await runsPerMinute(built, `today's default (${defaultWorkload.rate} ops/s, ${defaultWorkload.concurrency} clients, ${defaultWorkload.keys} keys)`, defaultWorkload, RUNS_PER_FAULT, 1);
  for (const [name, nemesis] of [['naive', 'none'], ['naive', 'latency'], ['failover', 'partition']]) await firstViolation(name, nemesis);
}
