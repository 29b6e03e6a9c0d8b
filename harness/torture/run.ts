// One torture run: start the system behind its fault proxies, drive the
// workload while the nemesis cycles, heal, read every key, stop everything,
// check the history, and write history.jsonl (streamed), results.json and
// report.html into the run's folder.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProcessCluster } from '../cluster/cluster.ts';
import { onInterrupt } from '../cluster/processes.ts';
import type { Cluster } from '../engine/cluster.ts';
import { wallClock } from '../engine/wallClock.ts';
import { runNemesisCycles, nemesisPlan } from '../nemeses/cycles.ts';
import { parseNemesis } from '../nemeses/index.ts';
import { HistoryRecorder } from '../recorder.ts';
import type { SystemDefinition } from '../system/definition.ts';
import { finalReads, registerSchedule, runWorkload, type KeyStyle, type WorkloadStats } from '../workloads/register.ts';
import type { MaelstromStats } from '../maelstrom/network.ts';
import { checkRun, type RunVerdict } from './verdict.ts';
import type { Workload } from './matrix.ts';
import { writeRunReport } from './reportAdapter.ts';

export interface RunConfig extends Workload {
  system: SystemDefinition;
  /** One RUN of the --nemesis syntax, e.g. `isolate-primary` or `partition:reset+kill`; `none` for no faults. */
  nemesis: string;
  seed: number;
  runDir: string;
  toxiproxyUrl?: string;
  /** The command line that reproduces this run, for results.json. */
  command: string;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

export interface Progress {
  phase: 'starting' | 'running' | 'healing' | 'final reads' | 'stopping' | 'checking' | 'done';
  elapsedS: number;
  stats: WorkloadStats;
  activeFaults: string[];
}

export interface RunResult {
  system: string;
  nemesis: string;
  seed: number;
  ops: number;
  ok: number;
  fail: number;
  info: number;
  valid: RunVerdict['valid'];
  expected: boolean;
  matches: boolean;
  unknownReason: string | null;
  /** Seconds from the run's start to the completion of the first violation found; null if none. */
  firstViolationS: number | null;
  historyPath: string;
  resultsPath: string;
  reportPath: string | null;
  elapsedS: number;
}

export async function runOnce(cfg: RunConfig): Promise<RunResult> {
  const started = Date.now();
  mkdirSync(cfg.runDir, { recursive: true });
  const nemeses = parseNemesis(cfg.nemesis, cfg.system);
  const historyPath = join(cfg.runDir, 'history.jsonl');
  const clock = wallClock();
  const recorder = new HistoryRecorder(historyPath, clock);
  // On Ctrl-C the owner stops the processes; the history on disk is already complete up to here.
  const unhook = onInterrupt((sig) => {
    recorder.close();
    process.stderr.write(`torture: ${sig}: run stopped; the history so far is in ${historyPath} (npm run -s check -- ${historyPath})\n`);
  });
  const stats: WorkloadStats = { invoked: 0, ok: 0, fail: 0, info: 0 };
  let phase: Progress['phase'] = 'starting';
  let activeFaults: string[] = [];
  const progress = () => cfg.onProgress?.({ phase, elapsedS: (Date.now() - started) / 1000, stats, activeFaults });
  const ticker = setInterval(progress, 500);
  const timings: Record<string, number> = {};
  let cluster: Cluster | undefined;
  let maelstrom: MaelstromStats | null = null;
  let finalRead = { read: 0, of: cfg.keys };
  // Maelstrom's lin-kv sends integer keys, and many Maelstrom nodes assume them.
  const keyStyle: KeyStyle = cfg.system.protocol === 'maelstrom' ? 'integer' : 'string';
  const healErrors: string[] = [];
  try {
    progress();
    cluster = await ProcessCluster.start(cfg.system, { toxiproxyUrl: cfg.toxiproxyUrl, logDir: join(cfg.runDir, 'nodes'), dataDir: join(cfg.runDir, 'data'), clock, seed: cfg.seed });
    timings.setupMs = Date.now() - started;
    const endpoints = cfg.system.clientNodes;
    const schedule = registerSchedule({
      seed: cfg.seed,
      concurrency: cfg.concurrency,
      keys: cfg.keys,
      rate: cfg.rate,
      keyStyle,
    });
    const plan = nemesisPlan(cfg.seed, cfg.timing);
    const nextProcess = { value: cfg.concurrency };
    phase = 'running';
    const workStart = Date.now();
    const [, nemesisResult] = await Promise.all([
      runWorkload({ schedule, cluster, endpoints, recorder, durationMs: cfg.timeLimitS * 1000, opTimeoutMs: cfg.opTimeoutMs, stats, nextProcess, signal: cfg.signal }),
      runNemesisCycles({
        nemeses,
        cluster,
        recorder,
        plan,
        // Faults end a little before the clients stop, so the last heal is observed by the workload too.
        durationMs: Math.max(0, cfg.timeLimitS * 1000 - cfg.opTimeoutMs),
        signal: cfg.signal,
        onChange: (a) => (activeFaults = a),
      }),
    ]);
    healErrors.push(...nemesisResult.healErrors);
    timings.workloadMs = Date.now() - workStart;
    phase = 'healing';
    // Belt and braces: the cycles healed what they started; make sure of the network too.
    await cluster.healNetwork().catch((err: Error) => {
      healErrors.push(err.message);
      recorder.nemesis('heal-failed', { error: err.message, stillFaulty: cluster!.activeNetworkFaults() });
    });
    await clock.sleep(cfg.recoveryMs, cfg.signal);
    phase = 'final reads';
    finalRead = await finalReads(cfg.keys, { cluster, endpoints, recorder, opTimeoutMs: cfg.opTimeoutMs, stats, nextProcess, keyStyle });
  } finally {
    clearInterval(ticker);
    phase = 'stopping';
    progress();
    await cluster?.stop();
    if (cluster instanceof ProcessCluster) maelstrom = cluster.maelstromStats();
    recorder.close();
    unhook();
  }
  phase = 'checking';
  progress();
  const checkStart = Date.now();
  const verdict = await checkRun(recorder.events, { timeoutMs: cfg.checkTimeoutMs, finalRead, healErrors });
  timings.checkMs = Date.now() - checkStart;
  timings.totalMs = Date.now() - started;
  const expected = cfg.system.claims === 'linearizable';
  const resultsPath = join(cfg.runDir, 'results.json');
  const reportPath = join(cfg.runDir, 'report.html');
  const results = {
    system: cfg.system.name,
    definition: cfg.system.bin ? null : cfg.system.file,
    ...(cfg.system.bin ? { bin: cfg.system.bin } : {}),
    claims: cfg.system.claims,
    nemesis: cfg.nemesis,
    seed: cfg.seed,
    ops: stats.invoked,
    ok: stats.ok,
    fail: stats.fail,
    info: stats.info,
    valid: verdict.valid,
    expected,
    matches: verdict.valid === expected,
    unknownReason: verdict.unknownReason,
    firstViolationS: verdict.firstViolationNs === null ? null : verdict.firstViolationNs / 1e9,
    okDuringFaults: verdict.okDuringFaults,
    faultWindows: verdict.faultWindows,
    finalReads: finalRead,
    healErrors,
    // What the relays counted: lines each node wrote, malformed ones (noted in nodes/<id>.log), messages lost on cut links.
    ...(maelstrom ? { maelstrom } : {}),
    checker: verdict.check === null ? null : { valid: verdict.check.valid, elapsedMs: verdict.check.elapsedMs, keys: verdict.check.keys, failures: verdict.check.failures.length },
    options: {
      timeLimitS: cfg.timeLimitS,
      concurrency: cfg.concurrency,
      keys: cfg.keys,
      rate: cfg.rate,
      opTimeoutMs: cfg.opTimeoutMs,
      quietMs: cfg.timing.quietMs,
      faultMs: cfg.timing.faultMs,
      recoveryMs: cfg.recoveryMs,
    },
    timings,
    startedAt: new Date(started).toISOString(),
    command: cfg.command,
    historyPath,
    reportPath,
  };
  writeFileSync(resultsPath, JSON.stringify(results, null, 2) + '\n');
  const wroteReport = verdict.check === null ? false : await writeRunReport({ history: recorder.events, result: verdict.check, resultsPath, historyPath, outPath: reportPath });
  phase = 'done';
  progress();
  // The run's summary: results.json's headline fields, plus whether the report got written.
  const { system, nemesis, seed, ops, ok, fail, info, valid, matches, unknownReason, firstViolationS } = results;
  return {
    system, nemesis, seed, ops, ok, fail, info, valid, expected, matches, unknownReason, firstViolationS,
    historyPath,
    resultsPath,
    reportPath: wroteReport ? reportPath : null,
    elapsedS: timings.totalMs / 1000,
  };
}

