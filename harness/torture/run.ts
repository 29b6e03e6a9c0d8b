// One torture run, on either engine: start the system (real processes behind
// their fault proxies, or its Env nodes in the simulator), drive the workload
// while the nemesis cycles, heal, read every key, stop everything, check the
// history, and write history.jsonl, results.json, report.html (and, for a
// failing simulated run, schedule.json) into the run's folder. Real runs
// stream the history to disk as it happens; simulated runs that pass keep no
// files unless asked to.
import { mkdirSync, rmSync } from 'node:fs';
import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import { ProcessCluster } from '../cluster/cluster.ts';
import { onInterrupt } from '../cluster/processes.ts';
import type { Cluster, EngineName } from '../engine/cluster.ts';
import { wallClock } from '../engine/wallClock.ts';
import { runNemesisCycles } from '../nemeses/cycles.ts';
import { parseNemesis } from '../nemeses/index.ts';
import { HistoryRecorder } from '../recorder.ts';
import { loadSimRoles } from '../sim/roles.ts';
import { SimCluster } from '../sim/simCluster.ts';
import { JOURNAL_FILE, writeJournal } from '../sim/journal.ts';
import { stateNodes } from '../nemeses/nemesis.ts';
import { writeFileWhole } from '../outputFiles.ts';
import type { SystemDefinition } from '../system/definition.ts';
import { finalReads, runWorkload, type KeyStyle, type WorkloadStats } from '../workloads/register.ts';
import type { MaelstromStats } from '../maelstrom/network.ts';
import { scheduleSource, writeScheduleFile, type RunSchedule } from './schedule.ts';
import { availabilityShortfall, WORKLOAD_END_MARK, measureAvailability, type Availability } from './availability.ts';
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
  /** Default: real processes. */
  engine?: EngineName;
  /** Run exactly this schedule (replay, shrinking) instead of drawing one from the seed. */
  schedule?: RunSchedule;
  /**
   * Which files to keep: 'always' (real runs, streamed as they happen),
   * 'on-mismatch' (a run folder only when the verdict does not match the
   * claim), or 'never' (batches and shrinking attempts, judged in memory).
   */
  keepFiles?: 'always' | 'on-mismatch' | 'never';
  /** Skip results.json/report.html even when files are kept (shrinking attempts). */
  historyOnly?: boolean;
  /** Explain a violation (a minimal counterexample in words; default true). Off for runs judged by verdict alone. */
  explain?: boolean;
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
  /** True when the system claims to be linearizable. */
  expected: boolean;
  matches: boolean;
  unknownReason: string | null;
  /** Measured whatever the system claims. */
  availability: Availability;
  /** Which fault window, if any, saw nothing succeed for longer than the definition's recoveryS. */
  availabilityShortfall: string | null;
  /** The shortfall, when the system claims availability under this run's nemesis: the gate fails on it. */
  availabilityFailure: string | null;
  /** Replies the harness could not use (recorded as info): how many, and the first one's reason. */
  unusableReplies: { count: number; example: string | null };
  /** Seconds from the run's start to the completion of the first violation found; null if none. */
  firstViolationS: number | null;
  historyPath: string | null;
  resultsPath: string | null;
  reportPath: string | null;
  schedulePath: string | null;
  elapsedS: number;
  engine: EngineName;
  /** What the run actually did, as data (for shrinking and replay). */
  schedule: RunSchedule;
}

export async function runOnce(cfg: RunConfig): Promise<RunResult> {
  const started = Date.now();
  const engine = cfg.engine ?? 'processes';
  const streamed = (cfg.keepFiles ?? 'always') === 'always';
  if (streamed) mkdirSync(cfg.runDir, { recursive: true });
  const nemeses = parseNemesis(cfg.nemesis, cfg.system, engine);
  const historyPath = join(cfg.runDir, 'history.jsonl');
  // Maelstrom's lin-kv sends integer keys, and many Maelstrom nodes assume them.
  const keyStyle: KeyStyle = cfg.system.protocol === 'maelstrom' ? 'integer' : 'string';
  const source = scheduleSource(cfg.seed, { ...cfg, keyStyle }, cfg.schedule);
  const stats: WorkloadStats = { invoked: 0, ok: 0, fail: 0, info: 0 };
  let phase: Progress['phase'] = 'starting';
  let activeFaults: string[] = [];
  const progress = () => cfg.onProgress?.({ phase, elapsedS: (Date.now() - started) / 1000, stats, activeFaults });
  const ticker = setInterval(progress, 500);
  const timings: Record<string, number> = {};
  let cluster: Cluster | undefined;
  let recorder: HistoryRecorder | undefined;
  let unhook = () => {};
  // A history that can no longer be written (disk full) ends the run as Ctrl-C would.
  const recorderFailed = new AbortController();
  const signal = cfg.signal ? AbortSignal.any([cfg.signal, recorderFailed.signal]) : recorderFailed.signal;
  // Every client slot's pause listens on it; that is not a leak.
  setMaxListeners(0, signal);
  let maelstrom: MaelstromStats | null = null;
  let finalRead = { read: 0, of: cfg.keys };
  const healErrors: string[] = [];
  let cyclesStarted = 0;
  try {
    progress();
    if (engine === 'sim') {
      // A run whose files are kept gets the message journal its report draws.
      cluster = await SimCluster.start(cfg.system, { seed: cfg.seed, roles: await loadSimRoles(cfg.system), journal: streamed });
      recorder = new HistoryRecorder(streamed ? historyPath : null, cluster.clock);
      recorder.failed.addEventListener('abort', () => recorderFailed.abort(), { once: true });
    } else {
      const clock = wallClock();
      recorder = new HistoryRecorder(historyPath, clock);
      recorder.failed.addEventListener('abort', () => recorderFailed.abort(), { once: true });
      const rec = recorder;
      // On Ctrl-C the owner stops the processes; the history on disk is already complete up to here.
      unhook = onInterrupt((sig) => {
        rec.close();
        process.stderr.write(`torture: ${sig}: run stopped; the history so far is in ${historyPath} (npm run -s check -- ${historyPath})\n`);
      });
      cluster = await ProcessCluster.start(cfg.system, { toxiproxyUrl: cfg.toxiproxyUrl, logDir: join(cfg.runDir, 'nodes'), dataDir: join(cfg.runDir, 'data'), clock, seed: cfg.seed });
    }
    const c = cluster;
    const rec = recorder;
    timings.setupMs = Date.now() - started;
    const endpoints = cfg.system.clientNodes;
    const nextProcess = { value: cfg.concurrency };
    phase = 'running';
    const workStart = Date.now();
    const [, nemesisResult] = await Promise.all([
      runWorkload({ schedule: source.streams, cluster: c, endpoints, recorder: rec, durationMs: cfg.timeLimitS * 1000, opTimeoutMs: cfg.opTimeoutMs, stats, nextProcess, signal }),
      runNemesisCycles({
        nemeses,
        cluster: c,
        recorder: rec,
        plan: source.plan,
        // Faults end a little before the clients stop, so the last heal is observed by the workload too.
        durationMs: Math.max(0, cfg.timeLimitS * 1000 - cfg.opTimeoutMs),
        signal,
        onChange: (a) => (activeFaults = a),
      }),
    ]);
    rec.nemesis(WORKLOAD_END_MARK);
    healErrors.push(...nemesisResult.healErrors);
    cyclesStarted = nemesisResult.cyclesStarted;
    timings.workloadMs = Date.now() - workStart;
    phase = 'healing';
    // Belt and braces: the cycles healed what they started; make sure of the network too.
    await c.healNetwork().catch((err: Error) => {
      healErrors.push(err.message);
      rec.nemesis('heal-failed', { error: err.message, stillFaulty: c.activeNetworkFaults() });
    });
    await c.clock.sleep(cfg.recoveryMs, signal);
    rec.throwIfFailed();
    phase = 'final reads';
    finalRead = await finalReads(cfg.keys, { cluster: c, endpoints, recorder: rec, opTimeoutMs: cfg.opTimeoutMs, stats, nextProcess, keyStyle });
  } finally {
    clearInterval(ticker);
    phase = 'stopping';
    progress();
    await cluster?.stop();
    if (cluster instanceof ProcessCluster) maelstrom = cluster.maelstromStats();
    recorder?.close();
    unhook();
  }
  recorder.throwIfFailed();
  const events = recorder.events;
  const journal = cluster instanceof SimCluster ? cluster.journal : null;
  const schedule = source.used(cyclesStarted);
  phase = 'checking';
  progress();
  const checkStart = Date.now();
  const verdict = await checkRun(events, { timeoutMs: cfg.checkTimeoutMs, finalRead, healErrors, explain: cfg.explain });
  timings.checkMs = Date.now() - checkStart;
  timings.totalMs = Date.now() - started;
  const expected = cfg.system.claims === 'linearizable';
  const availability = measureAvailability(events);
  const claimedAvailable = cfg.system.available.includes(cfg.nemesis.trim());
  const shortfall = availabilityShortfall(availability, cfg.system.recoveryS);
  const keep = streamed || (cfg.keepFiles === 'on-mismatch' && verdict.valid !== expected);
  // The nodes' data directories can be large (etcd preallocates 64 MB of log per member): a run that
  // matched its claim needs them no more; one that did not keeps them beside its history, for a post-mortem.
  const dataKept = engine === 'processes' && verdict.valid !== expected;
  if (engine === 'processes' && !dataKept) rmSync(join(cfg.runDir, 'data'), { recursive: true, force: true });
  const resultsPath = join(cfg.runDir, 'results.json');
  const reportPath = join(cfg.runDir, 'report.html');
  const schedulePath = join(cfg.runDir, 'schedule.json');
  const results = {
    system: cfg.system.name,
    definition: cfg.system.bin ? null : cfg.system.file,
    ...(cfg.system.bin ? { bin: cfg.system.bin } : {}),
    claims: cfg.system.claims,
    nemesis: cfg.nemesis,
    seed: cfg.seed,
    engine,
    ops: stats.invoked,
    ok: stats.ok,
    fail: stats.fail,
    info: stats.info,
    valid: verdict.valid,
    expected,
    matches: verdict.valid === expected,
    unknownReason: verdict.unknownReason,
    unusableReplies: { count: stats.unusable?.count ?? 0, example: stats.unusable?.example ?? null },
    firstViolationS: verdict.firstViolationNs === null ? null : verdict.firstViolationNs / 1e9,
    availability,
    availabilityClaimed: claimedAvailable,
    availabilityShortfall: shortfall,
    finalReads: finalRead,
    healErrors,
    /** The nodes' data directories: kept for a run whose verdict does not match the claim, removed otherwise. */
    dataDir: dataKept ? join(cfg.runDir, 'data') : null,
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
  let wroteReport = false;
  if (keep) {
    mkdirSync(cfg.runDir, { recursive: true });
    if (!streamed) recorder.writeTo(historyPath);
    if (engine === 'sim') writeScheduleFile(schedulePath, { system: cfg.system.file, nemesis: cfg.nemesis, seed: cfg.seed, engine, workload: workloadOf(cfg), schedule });
    if (journal !== null) writeJournal(join(cfg.runDir, JOURNAL_FILE), journal);
    if (!cfg.historyOnly) {
      writeFileWhole(resultsPath, JSON.stringify(results, null, 2) + '\n');
      const journalNodes = stateNodes(cfg.system, { excludeViewserver: false });
      wroteReport =
        verdict.check === null
          ? false
          : await writeRunReport({ history: events, result: verdict.check, resultsPath, historyPath, outPath: reportPath, journal: journal === null ? undefined : { entries: journal, nodes: journalNodes } });
    }
  }
  phase = 'done';
  progress();
  // The run's summary: results.json's headline fields, plus what got written.
  const { system, nemesis, seed, ops, ok, fail, info, valid, matches, unknownReason, unusableReplies, firstViolationS } = results;
  return {
    system, nemesis, seed, ops, ok, fail, info, valid, expected, matches, unknownReason, unusableReplies, firstViolationS,
    availability,
    availabilityShortfall: shortfall,
    availabilityFailure: claimedAvailable ? shortfall : null,
    historyPath: keep ? historyPath : null,
    resultsPath: keep && !cfg.historyOnly ? resultsPath : null,
    reportPath: wroteReport ? reportPath : null,
    schedulePath: keep && engine === 'sim' ? schedulePath : null,
    elapsedS: timings.totalMs / 1000,
    engine,
    schedule,
  };
}

/** The workload options of a run, as schedule.json keeps them. */
function workloadOf(cfg: RunConfig): Workload {
  const { timeLimitS, concurrency, keys, rate, opTimeoutMs, timing, recoveryMs, checkTimeoutMs } = cfg;
  return { timeLimitS, concurrency, keys, rate, opTimeoutMs, timing, recoveryMs, checkTimeoutMs };
}

