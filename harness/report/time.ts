// How the report writes an instant: milliseconds since the start, or, for
// formats without a clock (Jepsen logs, EDN without :time), the history line.
export type ReportTimeUnit = 'ms' | 'line';

export function formatInstant(ms: number, unit: ReportTimeUnit): string {
  return unit === 'line' ? `line ${Math.round(ms)}` : `${ms} ms`;
}
