// Hands a finished run to the report writer (harness/report). The report's
// metadata is read back from results.json with the same function `npm run
// inspect` uses, so a report written now and one rewritten later agree. A
// report that cannot be written is a warning on stderr, never a lost verdict:
// the history and results.json are already on disk.
import type { CheckResult, HistoryEvent } from '../../checkers/types.ts';
import { metaFromResults } from '../report/cli.ts';
import { writeReport } from '../report/index.ts';

export async function writeRunReport(input: { history: HistoryEvent[]; result: CheckResult; resultsPath: string; historyPath: string; outPath: string }): Promise<boolean> {
  try {
    const { meta } = metaFromResults(input.resultsPath);
    await writeReport({ history: input.history, result: input.result, meta: { ...meta, historyPath: input.historyPath }, outPath: input.outPath });
    return true;
  } catch (err) {
    process.stderr.write(`torture: could not write ${input.outPath}: ${(err as Error).message}\n`);
    return false;
  }
}
