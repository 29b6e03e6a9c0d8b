import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdTable } from './idTable.ts';

describe('IdTable', () => {
  it('holds what a Map would, in id order, whatever is added and deleted', () => {
    // Commands: add the next id (skipping some), or delete an id drawn among those handed out so far.
    const command = fc.oneof(fc.record({ add: fc.integer({ min: 1, max: 3 }) }), fc.record({ del: fc.nat() }));
    fc.assert(
      fc.property(fc.array(command, { maxLength: 600 }), (commands) => {
        const table = new IdTable<{ id: number }>();
        const model = new Map<number, { id: number }>();
        let next = 0;
        for (const c of commands) {
          if ('add' in c) {
            next += c.add;
            const v = { id: next };
            table.add(next, v);
            model.set(next, v);
          } else if (next > 0) {
            const id = 1 + (c.del % next);
            expect(table.delete(id)).toBe(model.delete(id));
          }
          expect(table.size).toBe(model.size);
        }
        for (let id = 0; id <= next + 1; id++) {
          expect(table.get(id)).toBe(model.get(id));
          expect(table.has(id)).toBe(model.has(id));
        }
        expect([...table.entries()]).toEqual([...model.values()]);
      }),
      { seed: 20261202, numRuns: 200 },
    );
  });

  it('refuses an id that is not past the last one added', () => {
    const table = new IdTable<object>();
    table.add(5, {});
    expect(() => table.add(5, {})).toThrow(/id 5 added after id 5/);
    table.delete(5);
    table.add(1, {}); // empty again: any id
    expect(table.get(1)).toEqual({});
  });

  it('keeps its arrays near the number of live entries when an old entry stays', () => {
    const table = new IdTable<object>();
    table.add(1, {}); // stays throughout
    for (let id = 2; id < 100_000; id++) {
      table.add(id, {});
      table.delete(id - 1 === 1 ? -1 : id - 1);
    }
    expect(table.size).toBe(2);
    expect((table as unknown as { end: number }).end).toBeLessThan(200);
  });
});
