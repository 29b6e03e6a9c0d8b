// How the relay carries a Maelstrom message over a TCP link (through a fault
// proxy): the node's line, prefixed with its length and a checksum. Nodes
// never see the prefix. A fault can cut a stream anywhere: a partition drops
// bytes from some point on, and a restarted connection begins anew. Only
// whole lines reach a node's stdin: a partial line left when a connection
// closes is dropped, and a line spliced from two messages fails its check (a
// Maelstrom node would choke on it, and no real network splices packets).

import type { Readable } from 'node:stream';

/** One message on a link: `<length> <fnv1a> <line>\n`, the length in UTF-16 units of the line. */
export function frame(line: string): string {
  return `${line.length} ${fnv1a(line)} ${line}\n`;
}

/** The line a frame carries, or null when the frame is damaged. */
export function unframe(framed: string): string | null {
  const a = framed.indexOf(' ');
  const b = a < 0 ? -1 : framed.indexOf(' ', a + 1);
  if (a <= 0 || b < 0 || b - a > 11) return null;
  const line = framed.slice(b + 1);
  return Number(framed.slice(0, a)) === line.length && Number(framed.slice(a + 1, b)) === fnv1a(line) ? line : null;
}

/** 32-bit FNV-1a over UTF-16 code units: cheap, and enough to tell a splice from a message. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Reads framed messages from a link: each whole, intact line to `onLine`, a damaged one to `onDamaged`. */
export function readFrames(socket: Readable, onLine: (line: string) => void, onDamaged: () => void): void {
  socket.setEncoding('utf8');
  const lines = new LineSplitter((framed) => {
    const line = unframe(framed);
    if (line === null) onDamaged();
    else onLine(line);
  });
  socket.on('data', (chunk: string) => lines.push(chunk));
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
