// Hands a finished run to the report writer (harness/report). A report that
// cannot be written is a warning on stderr, never a lost verdict: the
// history and results.json are already on disk.
import type { CheckResult, HistoryEvent } from '../../checkers/types.ts';
import { writeReport } from '../report/index.ts';

export interface RunSummaryForReport {
  system: string;
  claims: string;
  nemesis: string;
  seed: number;
  command: string;
  historyPath: string;
  valid: unknown;
  unknownReason: string | null;
  ok: number;
  fail: number;
  info: number;
  firstViolationS: number | null;
  timings: Record<string, number>;
}

export async function writeRunReport(input: { history: HistoryEvent[]; result: CheckResult; meta: RunSummaryForReport; outPath: string }): Promise<boolean> {
  const { meta } = input;
  const extra: Record<string, string | number | boolean> = { verdict: String(meta.valid), ok: meta.ok, fail: meta.fail, info: meta.info };
  if (meta.unknownReason) extra['unknown because'] = meta.unknownReason;
  if (meta.firstViolationS !== null) extra['first violation (s)'] = Number(meta.firstViolationS.toFixed(2));
  for (const [k, v] of Object.entries(meta.timings)) extra[k] = v;
  try {
    await writeReport({
      history: input.history,
      result: input.result,
      meta: {
        system: meta.system,
        nemeses: meta.nemesis.split('+'),
        seed: meta.seed,
        command: meta.command,
        expected: meta.claims,
        historyPath: meta.historyPath,
        extra,
      },
      outPath: input.outPath,
    });
    return true;
  } catch (err) {
    process.stderr.write(`splitbrain: could not write ${input.outPath}: ${(err as Error).message}\n`);
    return false;
  }
}
