// The verdict table printed at the end of `npm run torture`.
import type { RunResult } from './run.ts';
import type { SimCellResult } from './simulate.ts';

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
  /** ok share during faults / quiet, e.g. "41% / 99%". */
  availability: string;
  history: string;
}

export function renderTable(rows: TableRow[]): string {
  const header = ['system', 'nemesis', 'seed', 'ops', 'ok/fail/info', 'verdict', 'expected', '', 'first violation', 'ok in faults/quiet', 'history'];
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
    r.availability,
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

/** `--sim`: one row per cell (system × nemesis), the runs summarised, then the folders written. */
export function renderSimTable(rows: Array<{ result: SimCellResult; systemPass: boolean; shown: (p: string | null) => string }>): string {
  const header = ['system', 'nemesis', 'runs', 'valid', 'caught', 'unknown', 'expected', '', 'first violation', 'kept'];
  const body = rows.map(({ result: r, systemPass }) => {
    const count = (v: boolean | 'unknown') => r.summaries.filter((s) => s.valid === v).length;
    const first = r.summaries.find((s) => s.valid === false);
    return [
      r.cell.system.name,
      r.cell.nemesis,
      String(r.summaries.length),
      String(count(true)),
      String(count(false)),
      String(count('unknown')),
      r.cell.system.claims === 'linearizable' ? 'valid' : 'caught',
      systemPass ? 'ok' : 'MISMATCH',
      first ? `seed ${first.seed} at ${first.firstViolationS?.toFixed(1) ?? '?'}s` : '-',
      String(r.kept.size),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  const lines = [fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...body.map(fmt)];
  const folders = rows.flatMap(({ result: r, shown }) =>
    [...r.kept.entries()].map(([seed, k]) => {
      const what = k.shrunk
        ? `shrunk from ${k.shrunk.fromSize} to ${k.shrunk.toSize} operations+faults in ${k.shrunk.attempts} runs${k.shrunk.interrupted ? ' (time limit)' : ''}`
        : k.result.matches ? 'kept' : 'does not match the claim';
      return `  ${r.cell.system.name} × ${r.cell.nemesis} seed ${seed}: ${what}: ${shown(k.result.reportPath ?? k.result.historyPath)}`;
    }),
  );
  return lines.join('\n') + '\n' + (folders.length > 0 ? `\nrun folders:\n${folders.join('\n')}\n` : '');
}

/**
 * The table the lecture builds up, one row per design: consistent or not
 * (and under which fault it was caught), and available or not under each
 * fault it was run with (ok operations resuming within the definition's
 * recoveryS of every fault starting, whether or not the design claims it).
 */
export function renderLectureTable(runs: Array<Pick<RunResult, 'system' | 'nemesis' | 'valid' | 'availabilityShortfall'> & { file: string }>): string {
  const systems = [...new Set(runs.map((r) => r.file))];
  const lines = systems.map((file) => {
    const rs = runs.filter((r) => r.file === file);
    const caught = [...new Set(rs.filter((r) => r.valid === false).map((r) => r.nemesis))];
    const consistency =
      caught.length > 0 ? `NOT consistent (caught under ${caught.join(', ')})` : rs.every((r) => r.valid === true) ? 'consistent' : 'consistency unknown';
    const available = [...new Set(rs.map((r) => r.nemesis))].map((n) => {
      const under = rs.filter((r) => r.nemesis === n);
      return `${n} ${under.every((r) => r.availabilityShortfall === null) ? 'yes' : 'NO'}`;
    });
    return [rs[0].system, consistency, available.join(', ')];
  });
  const header = ['design', 'single-copy consistency', 'available under'];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  return ['the lecture\'s table:', fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...lines.map(fmt)].join('\n') + '\n';
}
