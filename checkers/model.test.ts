// ValueTable: one id per value, whichever way it numbers it (small integers by
// array, everything else by Map), with Map's idea of equality.
import { describe, expect, it } from 'vitest';
import { ValueTable } from './model.ts';

describe('ValueTable', () => {
  it('gives each value one id and keeps the value behind it', () => {
    const t = new ValueTable();
    const values = [0, 1, 7, 1023, 1024, 5000, (1 << 20) - 1, 1 << 20, 1e9, -1, 2.5, '1', 'x', null, ''];
    const ids = values.map((v) => t.id(v));
    expect(new Set(ids).size).toBe(values.length);
    expect(values.map((v) => t.id(v))).toEqual(ids);
    expect(ids.map((id) => t.values[id])).toEqual(values);
  });

  it('tells 1 from "1", and 0 from nothing, as a Map does (-0 is 0)', () => {
    const t = new ValueTable();
    expect(t.id(1)).not.toBe(t.id('1'));
    expect(t.id(-0)).toBe(t.id(0));
    expect(t.id(0)).not.toBe(t.id(null));
  });
});
