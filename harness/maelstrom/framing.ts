// How the relay carries a Maelstrom message over a TCP link (through a fault
// proxy): the node's line, prefixed with its length. Nodes never see the
// prefix. A fault can cut a stream anywhere: a partition drops bytes from
// some point on, and a restarted connection may begin anew. Only whole lines
// reach a node's stdin: a partial line left when a connection closes is
// dropped, and a line spliced from two messages fails its length check
// (a Maelstrom node would choke on it, and no real network splices packets).

/** One message on a link: `<length> <line>\n`, length in UTF-16 units of the line. */
export function frame(line: string): string {
  return `${line.length} ${line}\n`;
}

/** The line a frame carries, or null when the frame is damaged. */
export function unframe(framed: string): string | null {
  const space = framed.indexOf(' ');
  if (space <= 0 || space > 10) return null;
  const length = Number(framed.slice(0, space));
  const line = framed.slice(space + 1);
  return Number.isInteger(length) && line.length === length ? line : null;
}

/**
 * Splits a stream of text into lines, calling `onLine` for each complete one.
 * Whatever follows the last newline when the stream ends is not a line.
 */
export class LineSplitter {
  private buffer = '';

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: string): void {
    let start = 0;
    let nl = chunk.indexOf('\n');
    if (nl < 0) {
      this.buffer += chunk;
      return;
    }
    this.onLine(this.buffer + chunk.slice(0, nl));
    this.buffer = '';
    start = nl + 1;
    while ((nl = chunk.indexOf('\n', start)) >= 0) {
      this.onLine(chunk.slice(start, nl));
      start = nl + 1;
    }
    this.buffer = chunk.slice(start);
  }

  /** The unterminated tail, if any (for a note when a process exits mid-line). */
  rest(): string {
    return this.buffer;
  }
}
