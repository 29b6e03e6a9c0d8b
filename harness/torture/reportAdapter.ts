// Hands a finished run to the report writer (harness/report). The report's
// metadata is read back from results.json with the same function `npm run
// inspect` uses, so a report written now and one rewritten later agree.
//
// A report the renderer cannot make is a warning on stderr, never a lost
// verdict: the history and results.json are already on disk. A report the
// disk cannot take (full, read-only) is different: the run's files are
// incomplete, so the run must not pass; the torn file is removed and an
// OutputError says where the verdict is.
import { rmSync } from 'node:fs';
import type { CheckResult, HistoryEvent } from '../../checkers/types.ts';
import { fsReason, OutputError } from '../outputFiles.ts';
import { metaFromResults } from '../report/cli.ts';
import { writeReport } from '../report/index.ts';
import type { JournalEntry } from '../sim/journal.ts';

export async function writeRunReport(input: {
  history: HistoryEvent[];
  result: CheckResult;
  resultsPath: string;
  historyPath: string;
  outPath: string;
  journal?: { entries: JournalEntry[]; nodes: string[] };
}): Promise<boolean> {
  try {
    const { meta } = metaFromResults(input.resultsPath);
    const { history, result } = keysAsText(input.history, input.result);
    await writeReport({ history, result, meta: { ...meta, historyPath: input.historyPath }, outPath: input.outPath, journal: input.journal });
    return true;
  } catch (err) {
    if (typeof (err as NodeJS.ErrnoException).code === 'string' && typeof (err as NodeJS.ErrnoException).syscall === 'string') {
      try {
        rmSync(input.outPath, { force: true });
      } catch {
        /* a read-only disk keeps it; the error below names the file either way */
      }
      throw new OutputError(`cannot write ${input.outPath}: ${fsReason(err)}; the verdict is in ${input.resultsPath}`);
    }
    process.stderr.write(`torture: could not write ${input.outPath}: ${(err as Error).message}\n`);
    return false;
  }
}

/**
 * The report draws keys as text. A run's keys are all of one kind (integers
 * for Maelstrom nodes, strings otherwise), so writing 3 as "3" is unambiguous
 * within it; the history on disk keeps the integers.
 */
function keysAsText(history: HistoryEvent[], result: CheckResult): { history: HistoryEvent[]; result: CheckResult } {
  const text = (key: unknown) => (typeof key === 'number' ? String(key) : key) as string;
  if (!history.some((e) => e.process !== 'nemesis' && typeof e.key === 'number')) return { history, result };
  return {
    history: history.map((e) => (e.process !== 'nemesis' && typeof e.key === 'number' ? { ...e, key: text(e.key) } : e)),
    result: {
      ...result,
      failures: result.failures.map((f) => ({
        ...f,
        key: text(f.key),
        stuck: { ...f.stuck, key: text(f.stuck.key) },
        minimal: f.minimal.map((o) => ({ ...o, key: text(o.key) })),
        longestPrefix: f.longestPrefix.map((s) => ({ ...s, op: { ...s.op, key: text(s.op.key) } })),
      })),
      perKey: result.perKey.map((k) => ({ ...k, key: text(k.key) })),
    },
  };
}
