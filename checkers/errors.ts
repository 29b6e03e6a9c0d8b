// A user mistake in a history file: always carries where it happened, so the
// CLI can print `file:line: message` instead of a stack trace.
import { clip, escapeControl } from './quote.ts';

/** Longest detail a message carries: a parser's message can embed a long stretch of the line. */
const MAX_DETAIL_CHARS = 400;

export class HistoryError extends Error {
  readonly file: string;
  /** 1-based line number; 0 when the problem is not tied to one line. */
  readonly line: number;
  /** What is wrong, safe to print: control characters escaped, cut at a few hundred characters. */
  readonly detail: string;

  constructor(file: string, line: number, detail: string) {
    const safe = clip(escapeControl(detail), MAX_DETAIL_CHARS);
    const where = escapeControl(file);
    super(line > 0 ? `${where}:${line}: ${safe}` : `${where}: ${safe}`);
    this.name = 'HistoryError';
    this.file = file;
    this.line = line;
    this.detail = safe;
  }
}

/**
 * Throws the HistoryError of `file`:`line`. A function, not a closure made per
 * line: parsers call it from loops over every line of a file that may hold
 * 100,000.
 */
export function failAt(file: string, line: number, msg: string): never {
  throw new HistoryError(file, line, msg);
}
