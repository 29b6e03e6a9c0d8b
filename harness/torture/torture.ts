// Runs a planned matrix of torture runs one after another and judges them
// (gate.ts): what `splitbrain torture` does on real processes, and what the
// package's API offers as `torture()`. The command line adds only the
// printing (a progress line, the table); the API adds only defaults.
import { join, relative } from 'node:path';
import { loadDriver } from '../client/driver.ts';
import { ClusterStartError } from '../cluster/cluster.ts';
import { FaultProxyError } from '../cluster/faultProxy.ts';
import { kernelNetworkUnavailable } from '../cluster/kernelNetwork.ts';
import { parseNemesis } from '../nemeses/index.ts';
import { asOutputError } from '../outputFiles.ts';
import { defaultRunsDir, installed } from '../packageRoot.ts';
import { builtinName, DefinitionError, type SystemDefinition } from '../system/definition.ts';
import { judge, type RunStanding } from './gate.ts';
import { planMatrix, type Cell, type Workload } from './matrix.ts';
import { runOnce, type Progress, type RunResult } from './run.ts';

/** A run as `torture --json` reports it. */
export interface TortureRunReport extends Pick<RunResult, 'system' | 'nemesis' | 'seed' | 'ops' | 'ok' | 'fail' | 'info' | 'valid' | 'expected' | 'unknownReason'> {
  /** Why the run could not start or finish (a cluster that would not start, a full disk); null otherwise. */
  error: string | null;
  availability: RunResult['availability'] | null;
  availabilityFailure: string | null;
  historyPath: string | null;
  reportPath: string | null;
}

/** Which run of the matrix a callback is about. */
export interface RunLabel {
  /** 1-based position in the matrix. */
  index: number;
  total: number;
  system: string;
  nemesis: string;
  seed: number;
}

/** One run's outcome: its result, or why it could not run (`stopped`: a disk that could take no more ended it). */
export type RunOutcome = (RunResult | { cell: Cell; seed: number; error: string; stopped: boolean }) & { repetition: number; file: string };

export interface MatrixOptions {
  seed: number;
  /** Repetitions of the matrix, seeds seed, seed+1, ... */
  runs: number;
  /** Run folders go under here. */
  outRoot: string;
  toxiproxyUrl?: string;
  signal?: AbortSignal;
  /** The command line that reproduces a run, written into its results.json. */
  command: (cell: Cell, seed: number) => string;
  onRunStart?: (run: RunLabel) => void;
  onProgress?: (run: RunLabel, progress: Progress) => void;
  onRunEnd?: (run: RunLabel, outcome: RunOutcome) => void;
}

export interface MatrixResult {
  pass: boolean;
  outcomes: RunOutcome[];
  standings: RunStanding[];
}

/** Runs every cell `runs` times; a run that cannot start or finish is an outcome too (it fails the gate). */
export async function runMatrix(cells: Cell[], opts: MatrixOptions): Promise<MatrixResult> {
  const total = cells.length * opts.runs;
  const outcomes: RunOutcome[] = [];
  let index = 0;
  for (const cell of cells) {
    for (let r = 0; r < opts.runs; r++) {
      opts.signal?.throwIfAborted();
      const seed = (opts.seed + r) >>> 0;
      const label: RunLabel = { index: ++index, total, system: cell.system.name, nemesis: cell.nemesis, seed };
      const runDir = join(opts.outRoot, `${timestamp()}-${safeName(cell.system.name)}-${safeName(cell.nemesis)}`);
      opts.onRunStart?.(label);
      let outcome: RunOutcome;
      try {
        const res = await runOnce({
          system: cell.system,
          nemesis: cell.nemesis,
          seed,
          ...cell.workload,
          runDir,
          toxiproxyUrl: opts.toxiproxyUrl,
          command: opts.command(cell, seed),
          signal: opts.signal,
          onProgress: opts.onProgress && ((p) => opts.onProgress!(label, p)),
        });
        outcome = { ...res, repetition: r, file: cell.system.file };
      } catch (err) {
        // A full or read-only disk ends the run (never with a stack trace); the gate fails on it.
        const output = asOutputError(err, opts.outRoot);
        if (output === null && !(err instanceof ClusterStartError || err instanceof FaultProxyError)) throw err;
        outcome = { cell, seed, error: output?.message ?? (err as Error).message, stopped: output !== null, repetition: r, file: cell.system.file };
      }
      // An aborted run stopped its processes and ended early: its verdict says nothing.
      opts.signal?.throwIfAborted();
      outcomes.push(outcome);
      opts.onRunEnd?.(label, outcome);
    }
  }
  const { pass, standings } = judge(
    outcomes.map((r) => ({
      system: r.file,
      repetition: r.repetition,
      expected: 'error' in r ? r.cell.system.claims === 'linearizable' : r.expected,
      valid: 'error' in r ? 'error' : r.valid,
      availabilityFailure: 'error' in r ? null : r.availabilityFailure,
    })),
  );
  return { pass, outcomes, standings };
}

/** An outcome in the shape of `torture --json`. */
export function runReport(r: RunOutcome): TortureRunReport {
  if ('error' in r) {
    return {
      system: r.cell.system.name, nemesis: r.cell.nemesis, seed: r.seed, ops: 0, ok: 0, fail: 0, info: 0, valid: 'unknown',
      expected: r.cell.system.claims === 'linearizable', unknownReason: `the run did not complete: ${r.error}`, error: r.error,
      availability: null, availabilityFailure: null, historyPath: null, reportPath: null,
    };
  }
  return {
    system: r.system, nemesis: r.nemesis, seed: r.seed, ops: r.ops, ok: r.ok, fail: r.fail, info: r.info, valid: r.valid,
    expected: r.expected, unknownReason: r.unknownReason, error: null, availability: r.availability,
    availabilityFailure: r.availabilityFailure, historyPath: r.historyPath, reportPath: r.reportPath,
  };
}

export interface TortureOptions {
  /** Built-in design names, definition files (relative to the working directory), or parsed definitions; default: every built-in design. */
  systems?: Array<string | SystemDefinition>;
  /** Nemesis runs as on the command line (`partition`, `partition:reset+kill`); default: each system's own list. */
  nemeses?: string[];
  /** The CI gate's plan and shorter runs (`torture --quick`). */
  quick?: boolean;
  /** Workload settings that override the defaults (or --quick's). */
  workload?: Partial<Pick<Workload, 'timeLimitS' | 'concurrency' | 'keys' | 'rate'>>;
  /** Seed of the first repetition (default: random; the report gives it back). */
  seed?: number;
  /** Repetitions of the matrix (default 1). */
  runs?: number;
  /** Where run folders go (default ./histories/runs, or the checkout's). */
  out?: string;
  /** A Toxiproxy server to use instead of the built-in proxy. */
  toxiproxyUrl?: string;
  /** Aborting stops the current run's processes; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
  onRunStart?: (run: RunLabel) => void;
  /** Twice a second during a run, and at each phase change. */
  onProgress?: (run: RunLabel, progress: Progress) => void;
  onRunEnd?: (run: RunLabel, report: TortureRunReport) => void;
}

export interface TortureReport {
  /** True when every verdict matches what its system claims (the gate's rule, gate.ts). */
  pass: boolean;
  seed: number;
  runs: Array<TortureRunReport & { standing: RunStanding }>;
}

/**
 * Runs systems under faults on real processes and judges the verdicts, as
 * `splitbrain torture` does; `quick: true` is the CI gate. Bad options (an
 * unknown system or nemesis, a broken definition) throw before anything starts.
 */
export async function torture(options: TortureOptions = {}): Promise<TortureReport> {
  const cells = planMatrix({ systems: options.systems, nemeses: options.nemeses, quick: options.quick ?? false, overrides: options.workload ?? {} });
  if (cells.length === 0) throw new Error('nothing to run: no systems given and no built-in systems found');
  for (const c of cells) parseNemesis(c.nemesis, c.system, 'processes');
  await checkRealRunNeeds(cells);
  const seed = options.seed ?? Math.floor(Math.random() * 0x7fffffff);
  const { onRunEnd } = options;
  const result = await runMatrix(cells, {
    seed,
    runs: options.runs ?? 1,
    outRoot: options.out ?? defaultRunsDir(),
    toxiproxyUrl: options.toxiproxyUrl,
    signal: options.signal,
    command: (cell, s) => reproduce(cell, s, { quick: options.quick, toxiproxy: options.toxiproxyUrl }),
    onRunStart: options.onRunStart,
    onProgress: options.onProgress,
    onRunEnd: onRunEnd && ((run, outcome) => onRunEnd(run, runReport(outcome))),
  });
  return { pass: result.pass, seed, runs: result.outcomes.map((o, i) => ({ ...runReport(o), standing: result.standings[i] })) };
}

/**
 * What a real run needs besides its definition, checked before anything
 * starts: each system's client driver loads, its network backend works on
 * this machine. A DefinitionError names the definition and what is missing.
 */
export async function checkRealRunNeeds(cells: Cell[]): Promise<void> {
  for (const system of new Set(cells.map((c) => c.system))) {
    if (system.client) await loadDriver(system.client.module).catch((err: Error) => Promise.reject(new DefinitionError(system.file, `"client": ${err.message}`)));
    const kernel = system.network === 'kernel' ? kernelNetworkUnavailable() : null;
    if (kernel !== null) throw new DefinitionError(system.file, `"network": "kernel": ${kernel}`);
  }
}

/** How a user starts the command: an npm script in a checkout, the package's bin once installed. */
export const TORTURE = installed ? 'npx splitbrain torture' : 'npm run -s torture --';

/** The command line that runs `cell` again with `seed`, for results.json and the report. */
export function reproduce(cell: Cell, seed: number, opts: { quick?: boolean; toxiproxy?: string }): string {
  const w = cell.workload;
  const bin = cell.system.bin;
  const parts = [TORTURE];
  if (bin !== undefined) parts.push('--bin', shellQuote(bin.command), '--node-count', String(bin.nodeCount), '--claims', cell.system.claims);
  else parts.push('--system', shellQuote(builtinName(cell.system) ?? relative(process.cwd(), cell.system.file)));
  parts.push('--nemesis', shellQuote(cell.nemesis), '--seed', String(seed));
  if (opts.quick) parts.push('--quick');
  parts.push('--time-limit', String(w.timeLimitS), '--concurrency', String(w.concurrency), '--keys', String(w.keys), '--rate', String(w.rate));
  if (opts.toxiproxy) parts.push('--toxiproxy', shellQuote(opts.toxiproxy));
  return parts.join(' ');
}

export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=+,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]+/g, '_');
}

export function timestamp(): string {
  // 2026-11-27T09-30-04-123Z: sortable, and safe in file names on every OS.
  return new Date().toISOString().replace(/[:.]/g, '-');
}
