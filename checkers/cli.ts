// `splitbrain check PATH... [--json] [--timeout S] [--format F]`
// Exit codes (DESIGN.md): 0 all linearizable, 1 some not, 2 unknown, 3 bad input or usage.
import { formatOption, parseArgs, timeoutMsOption, usageErrorLine, UsageError } from './cli-args.ts';
import { listHistoryFiles } from './files.ts';
import { checkFile, detectFormat, HistoryError, worst, type HistoryFormat, type Verdict } from './index.ts';
import { renderFailureText, toJsonReport, type FileReport } from './report.ts';

const USAGE = `usage: npm run -s check -- PATH... [--json] [--timeout SECONDS] [--format jsonl|jepsen|edn]

Checks histories for linearizability (each key an independent register).
PATH is a history file or a folder of them (every file inside, recursively).
Every file gets its verdict, or its bad-input line, whatever the others hold.

  --json          print one JSON document on stdout
  --timeout S     time limit per file in seconds (default 60); reached -> unknown
  --format F      force the input format instead of detecting it:
                  jsonl (splitbrain history.jsonl), jepsen (jepsen.util log lines),
                  edn (Jepsen history.edn, one map per line; initial value "")
  --help          this text

exit, for the worst file: 1 some history not linearizable, else 3 bad input
(or a usage error, or a file with nothing to check: no operation completed ok),
else 2 unknown (time or memory limit), else 0 all linearizable
`;

/** What became of one file: a verdict, or why it could not be checked. */
type Outcome = FileReport | { file: string; error: HistoryError };

/** The exit code of one file's outcome. */
function exitOf(o: Outcome): number {
  if ('error' in o) return 3;
  return o.result.valid === true ? 0 : o.result.valid === false ? 1 : 2;
}

// Which exit wins over a set of files: a violation is never hidden behind a
// bad file next to it, and a bad file never behind an undecided one.
const EXIT_RANK = [0, 3, 1, 2]; // by exit code: 0 best, then 2, 3, 1 worst
const worseExit = (a: number, b: number): number => (EXIT_RANK[a] >= EXIT_RANK[b] ? a : b);

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

const errorJson = (e: HistoryError) => ({ file: e.file, line: e.line, message: e.detail });

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
  const outcomes: Outcome[] = [];
  // One file at a time, parsed and checked, so a folder of large histories never sits in memory at once.
  for (const listed of listHistoryFiles(args.paths, (head) => detectFormat(head) !== 'jsonl')) {
    let outcome: Outcome;
    if ('error' in listed) outcome = listed;
    else {
      try {
        const result = await checkFile(listed.file, { format: args.format, timeoutMs: args.timeoutMs });
        outcome = { file: listed.file, result };
        if (!args.json) process.stdout.write(renderFailureText(listed.file, result, result.timeUnit));
      } catch (e) {
        if (!(e instanceof HistoryError)) throw e;
        outcome = { file: listed.file, error: e };
      }
    }
    if ('error' in outcome) process.stderr.write(`check: ${outcome.error.message}\n`);
    outcomes.push(outcome);
  }
  const exit = outcomes.map(exitOf).reduce(worseExit, 0);
  if (args.json) {
    const docs = outcomes.map((o) => ('error' in o ? { file: o.file, error: errorJson(o.error) } : toJsonReport(o)));
    // One file keeps the one-file shapes: its report, or {"error": ...} naming what is wrong.
    const one = outcomes.length === 1 ? outcomes[0] : undefined;
    // Over several files a bad one counts as unknown: nothing was proven about it, so the whole is not `true`.
    const valid = outcomes.map((o): Verdict => ('error' in o ? 'unknown' : o.result.valid)).reduce<Verdict>(worst, true);
    const doc = one === undefined ? { valid, files: docs } : 'error' in one ? { error: errorJson(one.error) } : docs[0];
    process.stdout.write(`${JSON.stringify(doc)}\n`);
  } else if (outcomes.length > 1) {
    const count = (v: Verdict) => outcomes.filter((o) => !('error' in o) && o.result.valid === v).length;
    const bad = outcomes.filter((o) => 'error' in o).length;
    process.stdout.write(`\n${outcomes.length} histories: ${count(true)} linearizable, ${count(false)} not, ${count('unknown')} unknown, ${bad} bad input\n`);
  }
  return exit;
}
