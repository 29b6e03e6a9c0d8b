// A user mistake in a history file: always carries where it happened, so the
// CLI can print `file:line: message` instead of a stack trace.
export class HistoryError extends Error {
  readonly file: string;
  /** 1-based line number; 0 when the problem is not tied to one line. */
  readonly line: number;
  readonly detail: string;

  constructor(file: string, line: number, detail: string) {
    super(line > 0 ? `${file}:${line}: ${detail}` : `${file}: ${detail}`);
    this.name = 'HistoryError';
    this.file = file;
    this.line = line;
    this.detail = detail;
  }
}
