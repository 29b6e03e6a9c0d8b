import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildLaneIndex, clampWindow, mergeSegments, opAt, visibleInLane, zoomAround, type TimelineCols } from './window.ts';

function cols(ops: [call: number, end: number, lane: number, status?: number][]): TimelineCols {
  return { call: ops.map((o) => o[0]), end: ops.map((o) => o[1]), lane: ops.map((o) => o[2]), status: ops.map((o) => o[3] ?? 0) };
}

describe('visibleInLane', () => {
  it('finds exactly the ops overlapping the window, including a long op that started before it', () => {
    const c = cols([
      [0, 100, 0], // long: overlaps everything
      [1, 2, 0],
      [10, 11, 0],
      [20, 21, 0],
      [5, 6, 1],
    ]);
    const lanes = buildLaneIndex(c, 2);
    expect(visibleInLane(lanes[0], c, 9, 12)).toEqual([0, 2]);
    expect(visibleInLane(lanes[0], c, 101, 200)).toEqual([]);
    expect(visibleInLane(lanes[1], c, 0, 5)).toEqual([4]);
  });

  it('matches a brute-force filter on random ops and windows (seeded property)', () => {
    const op = fc.tuple(fc.nat(1000), fc.nat(200), fc.nat(2));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), fc.nat(1200), fc.nat(300), (raw, t0, span) => {
        const c = cols(raw.map(([call, dur, lane]) => [call, call + dur, lane]));
        const lanes = buildLaneIndex(c, 3);
        const t1 = t0 + span;
        for (let l = 0; l < 3; l++) {
          const expected = c.call.map((_, i) => i).filter((i) => c.lane[i] === l && c.call[i] <= t1 && c.end[i] >= t0);
          expect([...visibleInLane(lanes[l], c, t0, t1)].sort((a, b) => a - b)).toEqual(expected);
        }
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it('handles no lanes and no ops', () => {
    const c = cols([]);
    expect(buildLaneIndex(c, 0)).toEqual([]);
    expect(visibleInLane(buildLaneIndex(c, 1)[0], c, 0, 1)).toEqual([]);
  });
});

describe('mergeSegments (level of detail)', () => {
  it('merges sub-pixel neighbours and keeps the most alarming status', () => {
    const c = cols([
      [0, 0.1, 0, 0],
      [0.2, 0.3, 0, 2],
      [0.4, 0.5, 0, 0],
      [50, 80, 0, 0],
    ]);
    const segs = mergeSegments([0, 1, 2, 3], c, (t) => t, 2, 1);
    expect(segs).toHaveLength(2);
    expect(segs[0]).toMatchObject({ count: 3, status: 0, counts: [2, 0, 1], first: 0 });
    expect(segs[1]).toMatchObject({ count: 1, x0: 50, x1: 80 });
  });

  it('lets a majority of info ops colour the segment', () => {
    const c = cols([
      [0, 0.1, 0, 2],
      [0.2, 0.3, 0, 2],
      [0.4, 0.5, 0, 0],
    ]);
    expect(mergeSegments([0, 1, 2], c, (t) => t)[0]).toMatchObject({ status: 2, counts: [1, 0, 2] });
  });

  it('keeps wide bars apart', () => {
    const c = cols([
      [0, 10, 0],
      [10, 20, 0],
    ]);
    expect(mergeSegments([0, 1], c, (t) => t)).toHaveLength(2);
  });

  it('turns 100,000 ops of one lane into at most a few segments per pixel', () => {
    const n = 100_000;
    const c = cols(Array.from({ length: n }, (_, i) => [i, i + 0.8, 0, i % 97 === 0 ? 2 : 0] as [number, number, number, number]));
    const lanes = buildLaneIndex(c, 1);
    const width = 1000;
    const toPx = (t: number): number => (t / n) * width;
    const segs = mergeSegments(visibleInLane(lanes[0], c, 0, n), c, toPx);
    expect(segs.length).toBeLessThanOrEqual(width);
    expect(segs.reduce((a, s) => a + s.count, 0)).toBe(n);
    // one info op in 97: the lane stays ok-coloured, yet every info op is still counted somewhere
    expect(segs.every((s) => s.status === 0)).toBe(true);
    expect(segs.reduce((a, s) => a + s.counts[2], 0)).toBe(Math.ceil(n / 97));
  });
});

describe('opAt', () => {
  it('finds the op under the cursor, with slack for thin bars', () => {
    const c = cols([
      [0, 1, 0],
      [5, 6, 0],
    ]);
    const lanes = buildLaneIndex(c, 1);
    expect(opAt(lanes[0], c, 0.5, 0)).toBe(0);
    expect(opAt(lanes[0], c, 4.8, 0.5)).toBe(1);
    expect(opAt(lanes[0], c, 3, 0.5)).toBeNull();
  });
});

describe('zoom windows', () => {
  it('zooms around a point', () => {
    expect(zoomAround(0, 100, 50, 0.5)).toEqual([25, 75]);
  });

  it('clamps to the history and a minimum span', () => {
    expect(clampWindow(-10, 20, 0, 100, 1)).toEqual([0, 30]);
    expect(clampWindow(90, 130, 0, 100, 1)).toEqual([60, 100]);
    expect(clampWindow(-50, 500, 0, 100, 1)).toEqual([0, 100]);
    expect(clampWindow(5, 5, 0, 100, 1)).toEqual([5, 6]);
    expect(clampWindow(0, 0, 0, 0, 1)).toEqual([0, 1]);
  });
});
