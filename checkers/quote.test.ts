// Echoing input safely: short, one line, no control characters, whatever the value.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HistoryError } from './errors.ts';
import { clip, escapeControl, quote } from './quote.ts';

describe('quote', () => {
  it('shows scalars as JSON would, and what JSON cannot say by name', () => {
    expect([quote('k1'), quote(3), quote(null), quote(undefined), quote(Infinity), quote([1, 'a']), quote({ a: [1] })]).toEqual(['"k1"', '3', 'null', 'nothing', 'Infinity', '[1, "a"]', '{"a": [1]}']);
  });

  it('cuts a 5 MB string to a few dozen characters without copying it whole', () => {
    const shown = quote('x'.repeat(5_000_000));
    expect(shown.length).toBeLessThan(100);
    expect(shown.endsWith('…')).toBe(true);
  });

  it('walks a value nested 100,000 levels deep without recursing into it', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(quote(deep)).toBe('[[[[[[[…]]]]]]]');
    expect(() => JSON.stringify(deep)).toThrow(RangeError); // what the messages used before
  });

  it('escapes terminal escapes, C1 controls and bidi overrides', () => {
    const shown = quote('\u001b[31mred\u009b2J\u202egnp.exe');
    expect(shown).toBe('"\\u001b[31mred\\u009b2J\\u202egnp.exe"');
  });

  it('never prints a control character, nor more than about max characters (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 1, max: 200 }), (v, max) => {
        const shown = quote(v, max);
        expect(shown).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
        expect(shown.length).toBeLessThanOrEqual(max + 1);
      }),
      { seed: 20_130, numRuns: 500 },
    );
  });
});

describe('escapeControl and clip', () => {
  it('leave ordinary text alone', () => {
    expect(escapeControl('h.jsonl:3: "time" must be a number, got "x"')).toBe('h.jsonl:3: "time" must be a number, got "x"');
    expect(clip('short', 10)).toBe('short');
    expect(clip('0123456789abc', 10)).toBe('0123456789… (3 more characters)');
  });

  it('a HistoryError escapes and bounds its message, file name included', () => {
    const e = new HistoryError('\u001b]0;pwned\u0007.jsonl', 2, `malformed JSON (Unexpected token, "\u001b[2J${'y'.repeat(10_000)}" is not valid JSON)`);
    expect(e.message).not.toMatch(/[\u0000-\u001f]/);
    expect(e.message.length).toBeLessThan(500);
    expect(e.message.startsWith('\\u001b]0;pwned\\u0007.jsonl:2: malformed JSON')).toBe(true);
  });
});
