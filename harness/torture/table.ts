// The verdict table printed at the end of `npm run torture`.
import type { RunResult } from './run.ts';

/** A run's identity and counts as RunResult has them, plus the rendered verdict columns. */
export interface TableRow extends Pick<RunResult, 'system' | 'nemesis' | 'seed' | 'ops' | 'ok' | 'fail' | 'info'> {
  /** valid | caught | unknown | error */
  verdict: string;
  /** valid | caught */
  expected: string;
  /** ok, missed (a broken design not caught by this run but by another) or MISMATCH */
  standing: string;
  /** Time to the first violation, e.g. "3.2s"; empty when none. */
  firstViolation: string;
  history: string;
}

export function renderTable(rows: TableRow[]): string {
  const header = ['system', 'nemesis', 'seed', 'ops', 'ok/fail/info', 'verdict', 'expected', '', 'first violation', 'history'];
  const body = rows.map((r) => [
    r.system,
    r.nemesis,
    String(r.seed),
    String(r.ops),
    `${r.ok}/${r.fail}/${r.info}`,
    r.verdict,
    r.expected,
    r.standing,
    r.firstViolation || '-',
    r.history || '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...body.map(fmt)].join('\n') + '\n';
}
