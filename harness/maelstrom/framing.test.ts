// Framing on the relay's links: whatever way a stream is chunked, the lines
// come out whole and in order; a cut-off tail is not a line; a line spliced
// from two messages (bytes lost in between) is refused.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { frame, LineSplitter, unframe } from './framing.ts';

const line = fc.string({ unit: 'binary', maxLength: 40 }).map((s) => s.replace(/\n/g, ' '));

/** Cuts `text` into chunks at the given offsets. */
function chunked(text: string, cuts: number[]): string[] {
  const at = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  return [...at, text.length].map((end, i) => text.slice(i === 0 ? 0 : at[i - 1], end));
}

describe('framing', () => {
  it('passes every whole line, in order, however the stream is chunked, and never the unfinished tail', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 20 }), line, fc.array(fc.nat(), { maxLength: 10 }), (lines, tail, cuts) => {
        const out: string[] = [];
        const splitter = new LineSplitter((l) => out.push(l));
        for (const chunk of chunked(lines.map(frame).join('') + tail, cuts)) splitter.push(chunk);
        expect(out.map(unframe)).toEqual(lines);
        expect(splitter.rest()).toBe(tail);
      }),
      { seed: 21, numRuns: 300 },
    );
  });

  it('refuses a line spliced from the start of one message and the end of another', () => {
    fc.assert(
      fc.property(line, line, fc.nat(), fc.nat(), (a, b, i, j) => {
        const first = frame(`{"dest":"n2","body":${JSON.stringify(a)}}`);
        const second = frame(`{"dest":"n3","body":${JSON.stringify(b)}}`);
        // Bytes lost from somewhere inside the first message to somewhere inside the second.
        const cutA = 1 + (i % (first.length - 1));
        const cutB = j % (second.length - 1);
        const spliced = (first.slice(0, cutA) + second.slice(cutB)).replace(/\n$/, '');
        if (spliced === first.replace(/\n$/, '') || spliced === second.replace(/\n$/, '')) return;
        expect(unframe(spliced)).toBeNull();
      }),
      { seed: 22, numRuns: 500 },
    );
    expect(unframe('garbage')).toBeNull();
    expect(unframe(frame('abc').trimEnd())).toBe('abc');
    expect(unframe(frame('abc').trimEnd().replace('abc', 'abd'))).toBeNull();
  });
});
