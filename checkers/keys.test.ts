// Key names: one string per key, distinct for distinct keys, and back again.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyName, keyOf, showKey } from './keys.ts';

describe('key names', () => {
  it('name integer keys by their digits and quote the string keys that would read like them', () => {
    expect([keyName(1), keyName('1'), keyName('k1'), keyName('"q"'), keyName(-3), keyName(undefined)]).toEqual(['1', '"1"', 'k1', '"\\"q\\""', '-3', '']);
  });

  it('show them as text output names them', () => {
    expect([showKey('1'), showKey('"1"'), showKey('k1'), showKey('')]).toEqual(['key 1', 'key "1"', 'key "k1"', 'the register']);
  });

  it('are distinct for distinct keys and turn back into the key (property)', () => {
    const key = fc.oneof(fc.string({ minLength: 1 }), fc.stringMatching(/^-?\d{1,4}$/), fc.integer({ min: -1e6, max: 1e6 }), fc.maxSafeInteger());
    fc.assert(
      fc.property(key, key, (a, b) => {
        expect(keyOf(keyName(a))).toStrictEqual(a);
        if (a !== b) expect(keyName(a)).not.toBe(keyName(b));
      }),
      { seed: 20_261_201, numRuns: 2_000 },
    );
  });
});
