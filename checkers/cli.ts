// `splitbrain check PATH... [--json] [--timeout S] [--format F]`
// Exit codes (DESIGN.md): 0 all linearizable, 1 some not, 2 unknown, 3 bad input or usage.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { checkHistory, detectFormat, FORMATS, HistoryError, loadHistoryFile, worst, type CheckResultDetail, type HistoryFormat, type Verdict } from './index.ts';
import { renderFailureText, toJsonReport, type FileReport } from './report.ts';

const USAGE = `usage: npm run -s check -- PATH... [--json] [--timeout SECONDS] [--format jsonl|jepsen|edn]

Checks histories for linearizability (each key an independent register).
PATH is a history file or a folder of them (every file inside, recursively).

  --json          print one JSON document on stdout
  --timeout S     time limit per file in seconds (default 60); reached -> unknown
  --format F      force the input format instead of detecting it:
                  jsonl (splitbrain history.jsonl), jepsen (jepsen.util log lines),
                  edn (Jepsen history.edn, one map per line; initial value "")
  --help          this text

exit: 0 all linearizable, 1 some not, 2 unknown (time or memory limit), 3 bad input or usage
`;

// In a folder: .jsonl, .edn and .log files are histories; a .txt file only if
// its content looks like EDN or a Jepsen log (the Porcupine corpus keeps its
// kv histories in .txt, next to READMEs and notes).
const HISTORY_EXTENSIONS = /\.(jsonl|log|edn)$/;
function isHistoryFile(path: string, name: string): boolean {
  if (HISTORY_EXTENSIONS.test(name)) return true;
  if (!name.endsWith('.txt')) return false;
  const format = detectFormat(readFileSync(path, 'utf8').slice(0, 10_000));
  return format !== 'jsonl';
}

class UsageError extends Error {}

interface Args {
  paths: string[];
  json: boolean;
  timeoutMs: number;
  format?: HistoryFormat;
  help: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { paths: [], json: false, timeoutMs: 60_000, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === '--help' || a === '-h') args.help = true;
    else if (a === '--json') args.json = true;
    else if (a === '--timeout') {
      const v = value();
      const s = Number(v);
      if (!Number.isFinite(s) || s <= 0) throw new UsageError(`--timeout must be a positive number of seconds, got '${v}'`);
      args.timeoutMs = s * 1000;
    } else if (a === '--format') {
      const v = value();
      if (!FORMATS.includes(v as HistoryFormat)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got '${v}'`);
      args.format = v as HistoryFormat;
    } else if (a.startsWith('--')) throw new UsageError(`unknown option ${a}`);
    else args.paths.push(a);
  }
  if (!args.help && args.paths.length === 0) throw new UsageError('no history given');
  return args;
}

function expand(path: string): string[] {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new HistoryError(path, 0, 'no such file or folder');
  }
  if (!st.isDirectory()) return [path];
  const files: string[] = [];
  for (const name of readdirSync(path).sort()) {
    const child = join(path, name);
    if (statSync(child).isDirectory()) files.push(...expand(child));
    else if (isHistoryFile(child, name)) files.push(child);
  }
  if (files.length === 0) throw new HistoryError(path, 0, 'folder holds no history files (.jsonl, .log, .txt, .edn)');
  return files;
}

export function exitCodeOf(v: Verdict): number {
  return v === true ? 0 : v === false ? 1 : 2;
}

let pipeGuarded = false;

export async function main(argv: string[]): Promise<number> {
  if (!pipeGuarded) {
    // `check ... | head`: a reader that goes away is not an error of ours.
    pipeGuarded = true;
    process.stdout.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`check: ${e.message}\n\n${USAGE}`);
    return 3;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const reports: FileReport[] = [];
  try {
    const files = args.paths.flatMap(expand);
    // Parse everything first: bad input anywhere is exit 3 before any long search.
    const parsed = files.map((file) => ({ file, history: loadHistoryFile(file, { format: args.format }) }));
    for (const { file, history } of parsed) {
      const result: CheckResultDetail = await checkHistory(history.events, { timeoutMs: args.timeoutMs, initialValue: history.initialValue });
      reports.push({ file, result });
      if (!args.json) process.stdout.write(renderFailureText(file, result));
    }
  } catch (e) {
    if (!(e instanceof HistoryError)) throw e;
    process.stderr.write(`check: ${e.message}\n`);
    return 3;
  }
  const verdict = reports.map((r) => r.result.valid).reduce<Verdict>(worst, true);
  if (args.json) {
    const docs = reports.map(toJsonReport);
    process.stdout.write(`${JSON.stringify(docs.length === 1 ? docs[0] : { valid: verdict, files: docs })}\n`);
  } else if (reports.length > 1) {
    const count = (v: Verdict) => reports.filter((r) => r.result.valid === v).length;
    process.stdout.write(`\n${reports.length} histories: ${count(true)} linearizable, ${count(false)} not, ${count('unknown')} unknown\n`);
  }
  return exitCodeOf(verdict);
}
