// slicer: cuts each chunk into pieces of about `average_size` ± `size_variation`
// bytes, waiting `delay` microseconds after each piece.
import { INTERRUPTED, type ToxicStub } from '../stub.ts';
import type { Attributes, ToxicDefinition } from './definition.ts';

/**
 * Offsets of the pieces of [start, end), as pairs [s0, e0, s1, e1, ...]:
 * halves recursively, moving each cut by up to ± size_variation, so pieces
 * vary evenly with no bias towards the start or the end.
 */
export function sliceOffsets(start: number, end: number, a: Attributes, random: () => number): number[] {
  const average = Math.max(1, a.average_size);
  const variation = Math.max(0, Math.min(a.size_variation, average - 1));
  if (end - start - average <= variation) return [start, end];
  const shift = variation > 0 ? Math.floor(random() * variation * 2) - variation : 0;
  const mid = start + Math.floor((end - start) / 2) + shift;
  return [...sliceOffsets(start, mid, a, random), ...sliceOffsets(mid, end, a, random)];
}

export const slicer: ToxicDefinition = {
  type: 'slicer',
  attributes: { average_size: 'int', size_variation: 'int', delay: 'int' },
  create: (a) => ({
    async pipe(stub: ToxicStub) {
      for (;;) {
        const c = await stub.read();
        if (c === INTERRUPTED) return;
        if (c === null) return stub.close();
        const cuts = sliceOffsets(0, c.data.length, a, () => stub.random());
        for (let i = 1; i < cuts.length; i += 2) {
          await stub.send({ data: c.data.subarray(cuts[i - 1], cuts[i]), timestamp: c.timestamp });
          if (!(await stub.sleep(a.delay / 1000))) {
            if (cuts[i]! < c.data.length) stub.unread({ data: c.data.subarray(cuts[i]), timestamp: c.timestamp });
            return;
          }
        }
      }
    },
  }),
};
