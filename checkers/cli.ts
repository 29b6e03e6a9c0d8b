// `splitbrain check PATH... [--json] [--timeout S] [--format F]`
// Exit codes (DESIGN.md): 0 all linearizable, 1 some not, 2 unknown, 3 bad input or usage.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { formatOption, parseArgs, timeoutMsOption, usageErrorLine, UsageError } from './cli-args.ts';
import { checkHistory, detectFormat, HistoryError, loadHistoryFile, worst, type CheckResultDetail, type HistoryFormat, type Verdict } from './index.ts';
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
  let head: string;
  try {
    head = readFileSync(path, 'utf8').slice(0, 10_000);
  } catch {
    return true; // unreadable: keep it, so loading it names the file and the reason
  }
  return detectFormat(head) !== 'jsonl';
}

interface Args {
  paths: string[];
  json: boolean;
  timeoutMs: number;
  format?: HistoryFormat;
  help: boolean;
}

function parseCheckArgs(argv: string[]): Args {
  const parsed = parseArgs(argv, { json: 'flag', timeout: 'value', format: 'value' });
  const args: Args = {
    paths: parsed.positionals,
    json: parsed.options.has('json'),
    timeoutMs: timeoutMsOption(parsed, 60_000),
    format: formatOption(parsed),
    help: parsed.help,
  };
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
    let isDir: boolean;
    try {
      isDir = statSync(child).isDirectory();
    } catch {
      // A dangling symlink (or a file removed while we list): the user sees which, rather than a crash.
      throw new HistoryError(child, 0, 'cannot be read (a broken link, or removed while listing)');
    }
    if (isDir) files.push(...expand(child));
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
    args = parseCheckArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(usageErrorLine('check', e.message));
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
      const result: CheckResultDetail = await checkHistory(history.events, { timeoutMs: args.timeoutMs, initialValue: history.initialValue, timeUnit: history.timeUnit });
      reports.push({ file, result });
      if (!args.json) process.stdout.write(renderFailureText(file, result, history.timeUnit));
    }
  } catch (e) {
    if (!(e instanceof HistoryError)) throw e;
    process.stderr.write(`check: ${e.message}\n`);
    // A script reading --json gets its one document here too, naming what is wrong.
    if (args.json) process.stdout.write(`${JSON.stringify({ error: { file: e.file, line: e.line, message: e.detail } })}\n`);
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
