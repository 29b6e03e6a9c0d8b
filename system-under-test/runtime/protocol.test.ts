import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyOp, errorRegistry, isDefiniteError, parseOp, type Value } from './protocol.ts';

const doc = readFileSync(new URL('../PROTOCOL.md', import.meta.url), 'utf8');

describe('the wire protocol', () => {
  it('PROTOCOL.md lists exactly the error registry', () => {
    const section = doc.slice(doc.indexOf('## Error registry'));
    const rows = [...section.matchAll(/^\| (\d+) \| ([a-z-]+) \| (yes|no) \| (.+?) \|$/gm)].map((m) => ({
      code: Number(m[1]),
      name: m[2],
      definite: m[3] === 'yes',
      meaning: m[4],
    }));
    expect(rows).toEqual([...errorRegistry].sort((a, b) => a.code - b.code));
  });

  it('has the definite and indefinite codes of the README', () => {
    for (const code of [11, 20, 22]) expect(isDefiniteError({ type: 'error', code, text: '' })).toBe(true);
    for (const code of [0, 13]) expect(isDefiniteError({ type: 'error', code, text: '' })).toBe(false);
  });

  it('parses requests and explains bad ones', () => {
    expect(parseOp({ type: 'cas', key: 'k', from: 1, to: 2 })).toEqual({ f: 'cas', key: 'k', from: 1, to: 2 });
    expect(parseOp({ type: 'read', key: 7 })).toEqual({ f: 'read', key: '7' });
    expect(parseOp({ type: 'write', key: 'k' })).toBe('write needs a value');
    expect(parseOp({ type: 'read' })).toBe('read needs a key');
    expect(parseOp({ type: 'append', key: 'k' })).toBe("unknown request type 'append'");
  });

  it('applies read, write and cas like lin-kv', () => {
    const data = new Map<string, Value>();
    expect(applyOp(data, { f: 'read', key: 'k' })).toMatchObject({ type: 'error', code: 20 });
    expect(applyOp(data, { f: 'cas', key: 'k', from: null, to: 1 })).toMatchObject({ type: 'error', code: 20 });
    expect(applyOp(data, { f: 'write', key: 'k', value: 1 })).toEqual({ type: 'write_ok' });
    expect(applyOp(data, { f: 'cas', key: 'k', from: 2, to: 3 })).toMatchObject({ type: 'error', code: 22 });
    expect(applyOp(data, { f: 'cas', key: 'k', from: 1, to: 3 })).toEqual({ type: 'cas_ok' });
    expect(applyOp(data, { f: 'read', key: 'k' })).toEqual({ type: 'read_ok', value: 3 });
  });
});
