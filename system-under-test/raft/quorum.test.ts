// The fast majority index against a dumb one (etcd's quorum/quick_test.go):
// the highest N that at least a majority of members have reached.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { committedIndex, quorumSize } from './quorum.ts';

function dumbCommittedIndex(matches: number[]): number {
  let best = 0;
  for (const n of matches) if (matches.filter((m) => m >= n).length >= quorumSize(matches.length)) best = Math.max(best, n);
  return best;
}

describe('quorum', () => {
  it('majorities of 1..7 members', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(quorumSize)).toEqual([1, 2, 2, 3, 3, 4, 4]);
  });

  it('committedIndex equals the dumb definition', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(20), { minLength: 1, maxLength: 9 }), (matches) => committedIndex(matches) === dumbCommittedIndex(matches)),
      { seed: 7, numRuns: 500 },
    );
    expect(committedIndex([5, 1, 3])).toBe(3);
    expect(committedIndex([5, 1, 3, 2])).toBe(2);
  });
});
