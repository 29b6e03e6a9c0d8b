// `splitbrain inspect RUN_DIR_OR_HISTORY`: re-check a history (a run folder's
// history.jsonl, or any history file the checker can read, Jepsen logs and EDN
// included) and write its HTML report. Prints the report's path.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { formatOption, parseArgs, timeoutMsOption, usageErrorLine, UsageError } from '../../checkers/cli-args.ts';
import { describeFsError } from '../../checkers/files.ts';
import { checkHistory, escapeControl, HistoryError, loadHistoryFile, type CheckResultDetail, type HistoryFormat } from '../../checkers/index.ts';
import { writeReport, type RunMeta } from './index.ts';

const USAGE = `usage: npm run -s inspect -- RUN_DIR_OR_HISTORY [--out FILE] [--format jsonl|jepsen|edn] [--timeout SECONDS] [--json]

Re-checks a history for linearizability and writes its HTML report, a single
self-contained file that opens from disk. Prints the report's path.

  RUN_DIR_OR_HISTORY  a run folder (with history.jsonl and results.json, as the
                      torture runner writes them; the report goes to report.html
                      there) or a history file (the report goes beside it, as
                      NAME.report.html)
  --out FILE          write the report here instead
  --format F          force the history format instead of detecting it
  --timeout S         checker time limit in seconds (default 60)
  --json              print {"report": PATH, "valid": ..., "ops": N, "keys": N} on stdout
  --help              this text

exit: 0 linearizable, 1 not linearizable, 2 unknown (checker time limit), 3 bad input or usage
`;

interface Args {
  target?: string;
  out?: string;
  format?: HistoryFormat;
  timeoutMs: number;
  json: boolean;
  help: boolean;
}

function parseInspectArgs(argv: string[]): Args {
  const parsed = parseArgs(argv, { json: 'flag', out: 'value', timeout: 'value', format: 'value' });
  const [target, second] = parsed.positionals;
  if (second !== undefined) throw new UsageError(`one RUN_DIR_OR_HISTORY at a time (got '${target}' and '${second}')`);
  return {
    target,
    out: parsed.options.get('out'),
    format: formatOption(parsed),
    timeoutMs: timeoutMsOption(parsed, 60_000),
    json: parsed.options.has('json'),
    help: parsed.help,
  };
}

/** Where the history, the run's metadata and the report live for a folder or a file argument. */
export function locate(target: string, out?: string): { historyPath: string; resultsPath: string | null; reportPath: string } {
  const abs = resolve(target);
  let isDirectory: boolean;
  try {
    isDirectory = statSync(abs).isDirectory();
  } catch (e) {
    throw new UsageError(`${target}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : `cannot be read: ${describeFsError(e)}`}`);
  }
  if (isDirectory) {
    let historyPath = join(abs, 'history.jsonl');
    if (!existsSync(historyPath)) {
      let names: string[];
      try {
        names = readdirSync(abs);
      } catch (e) {
        throw new UsageError(`${target}: cannot list folder: ${describeFsError(e)}`);
      }
      const candidates = names.filter((n) => /\.(jsonl|edn|log)$/.test(n));
      if (candidates.length !== 1) {
        // A folder of runs (histories/runs, a --out folder): name the newest run to inspect.
        const runs = names.filter((n) => existsSync(join(abs, n, 'history.jsonl'))).sort();
        const hint =
          candidates.length > 1
            ? ` (and several other histories: ${candidates.join(', ')}; name one)`
            : runs.length > 0
              ? ` (it holds ${runs.length} run folder${runs.length === 1 ? '' : 's'}; name one, e.g. ${join(target, runs[runs.length - 1])})`
              : '';
        throw new UsageError(`${target}: no history.jsonl in this folder${hint}`);
      }
      historyPath = join(abs, candidates[0]);
    }
    const resultsPath = join(abs, 'results.json');
    return { historyPath, resultsPath: existsSync(resultsPath) ? resultsPath : null, reportPath: resolve(out ?? join(abs, 'report.html')) };
  }
  const stem = basename(abs, extname(abs));
  const resultsPath = join(dirname(abs), 'results.json');
  return {
    historyPath: abs,
    resultsPath: basename(abs) === 'history.jsonl' && existsSync(resultsPath) ? resultsPath : null,
    reportPath: resolve(out ?? join(dirname(abs), basename(abs) === 'history.jsonl' ? 'report.html' : `${stem}.report.html`)),
  };
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v !== null && typeof v === 'object' && typeof (v as { name?: unknown }).name === 'string') return (v as { name: string }).name;
  return undefined;
}

/**
 * The run's metadata from results.json. Read leniently: the report is still
 * worth writing when the file is from an older version or half-written.
 */
export function metaFromResults(path: string): { meta: RunMeta; warning?: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    return { meta: {}, warning: `${path}: not readable as JSON (${(e as Error).message}); the summary has no run metadata` };
  }
  if (raw === null || typeof raw !== 'object') return { meta: {}, warning: `${path}: not a JSON object; ignored` };
  const r = raw as Record<string, unknown>;
  // The torture runner writes "nemesis": "partition+kill"; accept a list too.
  const nemeses = Array.isArray(r.nemeses) ? r.nemeses.map((n) => str(n) ?? JSON.stringify(n)) : str(r.nemeses ?? r.nemesis)?.split(/[+,]/).filter((n) => n !== '');
  const extra: Record<string, string> = {};
  const options = r.options !== null && typeof r.options === 'object' ? (r.options as Record<string, unknown>) : {};
  for (const k of ['timeLimitS', 'concurrency', 'keys', 'rate', 'opTimeoutMs']) if (str(options[k]) !== undefined) extra[k] = str(options[k]) as string;
  if (typeof r.firstViolationS === 'number') extra['first violation'] = `${r.firstViolationS.toFixed(2)} s`;
  if (typeof r.unknownReason === 'string') extra['unknown because'] = r.unknownReason;
  if (r.timings !== null && typeof r.timings === 'object') {
    for (const [k, v] of Object.entries(r.timings as Record<string, unknown>)) if (typeof v === 'number') extra[k] = `${Math.round(v)} ms`;
  }
  const expectedRaw = typeof r.claims === 'string' ? r.claims : r.expected;
  const expected =
    expectedRaw === true ? 'linearizable' : expectedRaw === false ? 'not-linearizable' : typeof expectedRaw === 'string' ? expectedRaw : undefined;
  return {
    meta: {
      system: str(r.system),
      nemeses,
      seed: str(r.seed),
      command: str(r.command),
      expected,
      extra,
    },
  };
}

export interface InspectOutcome {
  reportPath: string;
  result: CheckResultDetail;
  warnings: string[];
}

/** Check a run folder or history file and write its report. Throws HistoryError / UsageError on bad input. */
export async function inspect(target: string, options: { out?: string; format?: HistoryFormat; timeoutMs?: number } = {}): Promise<InspectOutcome> {
  const { historyPath, resultsPath, reportPath } = locate(target, options.out);
  const warnings: string[] = [];
  const parsed = loadHistoryFile(historyPath, { format: options.format });
  const result = await checkHistory(parsed.ops, { initialValue: parsed.initialValue, timeoutMs: options.timeoutMs ?? 60_000, timeUnit: parsed.timeUnit });
  let meta: RunMeta = {};
  if (resultsPath !== null) {
    const m = metaFromResults(resultsPath);
    meta = m.meta;
    if (m.warning) warnings.push(m.warning);
  }
  meta.historyPath = historyPath;
  if (meta.command === undefined) meta.command = `npm run -s inspect -- ${target}`;
  if (parsed.format !== 'jsonl') meta.extra = { ...meta.extra, format: parsed.format };
  // Jepsen logs and EDN without :time carry no clock: the report places operations by line instead.
  meta.timeUnit = parsed.timeUnit;
  let written: string;
  try {
    written = await writeReport({ history: parsed.events, result, meta, outPath: reportPath });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === undefined) throw e;
    throw new UsageError(`cannot write the report to ${reportPath} (${code === 'EISDIR' ? 'that is a folder; name a file' : code})`);
  }
  return { reportPath: written, result, warnings };
}

export async function main(argv: string[]): Promise<number> {
  let args: Args;
  try {
    args = parseInspectArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(usageErrorLine('inspect', e.message));
    return 3;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (args.target === undefined) {
    process.stderr.write(usageErrorLine('inspect', 'name a run folder or a history file'));
    return 3;
  }
  try {
    const { reportPath, result, warnings } = await inspect(args.target, { out: args.out, format: args.format, timeoutMs: args.timeoutMs });
    for (const w of warnings) process.stderr.write(`inspect: warning: ${w}\n`);
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ report: reportPath, valid: result.valid, ops: result.ops, keys: result.keys, elapsedMs: result.elapsedMs })}\n`);
    } else {
      const verdict = result.valid === true ? 'linearizable' : result.valid === false ? `NOT linearizable (${result.failures.length} key(s))` : 'unknown';
      process.stderr.write(`inspect: ${verdict}; report written\n`);
      process.stdout.write(`${reportPath}\n`);
    }
    return result.valid === true ? 0 : result.valid === false ? 1 : 2;
  } catch (e) {
    if (e instanceof HistoryError || e instanceof UsageError) {
      // A HistoryError's message is escaped already; a UsageError may echo a path from the command line.
      process.stderr.write(`inspect: ${escapeControl(e.message)}\n`);
      return 3;
    }
    throw e;
  }
}
