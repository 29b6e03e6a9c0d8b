// How the report writes an instant: the checker's own format (seconds since
// the start), so the counterexample's sentences and its bullet points read in
// one unit; or, for formats without a clock (Jepsen logs, EDN without :time),
// the history line.
import { formatTime } from '../../checkers/explain.ts';

export type ReportTimeUnit = 'ms' | 'line';

export function formatInstant(ms: number, unit: ReportTimeUnit): string {
  // Four decimals keep the report's sub-millisecond timings apart (0.0031 s).
  return unit === 'line' ? `line ${Math.round(ms)}` : formatTime(ms * 1e6, 'ns', 4);
}
