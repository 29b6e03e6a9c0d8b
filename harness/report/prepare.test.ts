import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CheckResult, HistoryEvent } from '../../checkers/types.ts';
import { bigHistory } from './fixtures.ts';
import { assignLanes, nemesisIntervals, niceBinMs, pairForReport, prepareReport, STATUS, throughput } from './prepare.ts';

const emptyResult: CheckResult = { valid: true, ops: 0, keys: 0, elapsedMs: 0, verdictMs: 0, failures: [], perKey: [] };
const ms = (n: number): number => n * 1e6;

/** Build a history from compact rows; indices are assigned in order. */
function hist(rows: [time: number, process: number | 'nemesis', type: string, f: string, value?: unknown, key?: string][]): HistoryEvent[] {
  return rows.map(([t, p, type, f, value, key], index) => {
    const e: Record<string, unknown> = { index, time: ms(t), process: p, type, f, value: value ?? null };
    if (key !== undefined) e.key = key;
    return e as unknown as HistoryEvent;
  });
}

describe('pairForReport', () => {
  it('pairs invokes with completions per process and labels them', () => {
    const { ops, warnings, timeEnd } = pairForReport(
      hist([
        [0, 0, 'invoke', 'write', 3],
        [1, 1, 'invoke', 'read'],
        [2, 0, 'ok', 'write', 3],
        [3, 1, 'ok', 'read', 3],
        [4, 0, 'invoke', 'cas', [3, 4]],
        [5, 0, 'fail', 'cas', [3, 4]],
      ]),
    );
    expect(warnings).toEqual([]);
    expect(timeEnd).toBe(5);
    expect(ops.map((o) => [o.process, o.status, o.call, o.end, o.label])).toEqual([
      [0, STATUS.ok, 0, 2, 'write 3'],
      [1, STATUS.ok, 1, 3, 'read → 3'],
      [0, STATUS.fail, 4, 5, 'cas 3→4 (failed)'],
    ]);
  });

  it('keeps an invoke that never completes, open to the end of the history', () => {
    const { ops } = pairForReport(hist([[0, 0, 'invoke', 'write', 1], [7, 1, 'invoke', 'read'], [9, 1, 'ok', 'read', null]]));
    expect(ops[0]).toMatchObject({ open: true, end: 9, status: STATUS.info, completeIndex: null });
    expect(ops[0].label).toContain('no reply');
  });

  it('skips a completion without an invoke, and says so', () => {
    const { ops, warnings } = pairForReport(hist([[0, 0, 'ok', 'write', 1], [1, 1, 'invoke', 'read'], [2, 1, 'ok', 'read', 1]]));
    expect(ops).toHaveLength(1);
    expect(warnings.join()).toMatch(/1 completion event/);
  });

  it('closes a superseded invoke when the same process invokes again', () => {
    const { ops, warnings } = pairForReport(hist([[0, 0, 'invoke', 'write', 1], [1, 0, 'invoke', 'write', 2], [2, 0, 'ok', 'write', 2]]));
    expect(ops.map((o) => o.open)).toEqual([true, false]);
    expect(warnings[0]).toMatch(/invoked again/);
  });

  it('returns nothing for an empty history', () => {
    expect(pairForReport([])).toEqual({ ops: [], warnings: [], timeEnd: 0 });
  });
});

describe('assignLanes', () => {
  it('gives a fresh process the lane of a retired one (after info), not a new lane', () => {
    const { ops } = pairForReport(
      hist([
        [0, 0, 'invoke', 'write', 1],
        [0, 1, 'invoke', 'write', 2],
        [5, 0, 'info', 'write', 1],
        [6, 2, 'invoke', 'read'], // p2 replaces retired p0
        [7, 1, 'ok', 'write', 2],
        [8, 2, 'ok', 'read', 2],
      ]),
    );
    const { laneOf, lanes } = assignLanes(ops);
    expect(lanes.map((l) => l.processes)).toEqual([[0, 2], [1]]);
    expect(laneOf).toEqual([0, 1, 0]);
  });

  it('gives the final reads the lanes of workload clients that are done, not a lane each', () => {
    const { ops } = pairForReport(
      hist([
        [0, 0, 'invoke', 'write', 1],
        [1, 1, 'invoke', 'read'],
        [2, 0, 'ok', 'write', 1],
        [3, 1, 'ok', 'read', null],
        // The final phase: fresh processes, one at a time, after the clients stopped.
        [10, 7, 'invoke', 'read'],
        [11, 7, 'ok', 'read', 1],
        [12, 8, 'invoke', 'read'],
        [13, 8, 'ok', 'read', 1],
      ]),
    );
    const { laneOf, lanes } = assignLanes(ops);
    expect(lanes.map((l) => l.processes)).toEqual([[0, 7, 8], [1]]);
    expect(laneOf).toEqual([0, 1, 0, 0]);
  });

  it('does not reuse a lane before the retired op ended', () => {
    const { ops } = pairForReport(
      hist([
        [0, 0, 'invoke', 'write', 1],
        [1, 2, 'invoke', 'read'], // p0 still live: needs its own lane
        [5, 0, 'info', 'write', 1],
        [6, 2, 'ok', 'read', 1],
      ]),
    );
    expect(assignLanes(ops).lanes).toHaveLength(2);
  });

  it('handles a history of only info ops with as many lanes as were ever concurrent', () => {
    const rows: Parameters<typeof hist>[0] = [];
    for (let p = 0; p < 50; p++) {
      rows.push([p * 10, p, 'invoke', 'write', p]);
      rows.push([p * 10 + 5, p, 'info', 'write', p]);
    }
    const { ops } = pairForReport(hist(rows));
    expect(assignLanes(ops).lanes).toHaveLength(1);
  });

  it('keeps ops in one lane disjoint in time, for any well-formed history (seeded property)', () => {
    fc.assert(
      fc.property(wellFormedHistory(), (events) => {
        const { ops } = pairForReport(events);
        const { laneOf, lanes } = assignLanes(ops);
        for (let l = 0; l < lanes.length; l++) {
          const mine = ops.filter((_, i) => laneOf[i] === l).sort((a, b) => a.call - b.call);
          for (let k = 1; k < mine.length; k++) expect(mine[k].call).toBeGreaterThanOrEqual(mine[k - 1].end);
        }
      }),
      { seed: 20261127, numRuns: 200 },
    );
  });
});

describe('nemesisIntervals', () => {
  it('pairs start/stop, ignores a repeated start, keeps an unstopped fault open to the end', () => {
    const events = hist([
      [1, 'nemesis', 'info', 'start-partition', { isolated: ['n1'] }],
      [2, 'nemesis', 'info', 'start-partition', { isolated: ['n1'] }],
      [4, 'nemesis', 'info', 'stop-partition'],
      [5, 'nemesis', 'info', 'start-kill', 'n2'],
      [6, 'nemesis', 'info', 'stop-pause'],
      [7, 'nemesis', 'info', 'bump-clock', 100],
    ]);
    const { intervals, marks } = nemesisIntervals(events, 10);
    expect(intervals).toEqual([
      { name: 'partition', start: 1, end: 4, open: false, detail: '{"isolated":["n1"]}', startIndex: 0, endIndex: 2 },
      { name: 'kill', start: 5, end: 10, open: true, detail: '"n2"', startIndex: 3, endIndex: null },
    ]);
    expect(marks.map((m) => m.f)).toEqual(['stop-pause', 'bump-clock']);
  });

  it("understands Jepsen's bare :start/:stop", () => {
    const { intervals } = nemesisIntervals(hist([[1, 'nemesis', 'info', 'start'], [3, 'nemesis', 'info', 'stop']]), 5);
    expect(intervals).toEqual([{ name: 'fault', start: 1, end: 3, open: false, detail: 'nil', startIndex: 0, endIndex: 1 }]);
  });
});

describe('throughput', () => {
  it('chooses round bin widths', () => {
    expect(niceBinMs(68, 10)).toBe(10);
    expect(niceBinMs(60_000, 120)).toBe(500);
    expect(niceBinMs(0)).toBe(1);
  });

  it('counts completions per second by outcome and skips never-answered ops', () => {
    const { ops, timeEnd } = pairForReport(
      hist([
        [0, 0, 'invoke', 'write', 1],
        [0, 1, 'invoke', 'write', 2],
        [0, 2, 'invoke', 'read'],
        [5, 0, 'ok', 'write', 1],
        [15, 1, 'fail', 'write', 2],
        [20, 3, 'invoke', 'read'],
      ]),
    );
    const tp = throughput(ops, timeEnd, 2);
    expect(tp.binMs).toBe(10);
    expect(tp.ok).toEqual([100, 0, 0]);
    expect(tp.fail).toEqual([0, 100, 0]);
    expect(tp.info).toEqual([0, 0, 0]);
  });

  it('has no bins for no ops', () => {
    expect(throughput([], 0).t).toEqual([]);
  });
});

describe('prepareReport on odd histories', () => {
  it('an empty history', () => {
    const d = prepareReport([], emptyResult);
    expect(d.summary.ops).toBe(0);
    expect(d.lanes).toEqual([]);
    expect(d.throughput.t).toEqual([]);
  });

  it('only nemesis events', () => {
    const d = prepareReport(hist([[1, 'nemesis', 'info', 'start-partition']]), emptyResult);
    expect(d.nemesis).toHaveLength(1);
    expect(d.ops.call).toEqual([]);
  });

  it('the first op failing, and only info ops', () => {
    const d = prepareReport(hist([[0, 0, 'invoke', 'write', 1], [1, 0, 'fail', 'write', 1], [2, 0, 'invoke', 'read'], [3, 0, 'info', 'read']]), emptyResult);
    expect(d.summary).toMatchObject({ ops: 2, ok: 0, fail: 1, info: 1 });
    expect(d.ops.lane).toEqual([0, 0]);
  });

  it('events out of index order are sorted back', () => {
    const events = hist([[0, 0, 'invoke', 'write', 1], [1, 0, 'ok', 'write', 1]]).reverse();
    expect(prepareReport(events, emptyResult).summary.ok).toBe(1);
  });

  it('never throws on arbitrary event soup (seeded property)', () => {
    fc.assert(
      fc.property(eventSoup(), (events) => {
        const d = prepareReport(events, emptyResult);
        expect(d.ops.call.length).toBe(d.summary.ops);
        for (const l of d.ops.lane) expect(l).toBeLessThan(d.lanes.length);
        for (let i = 0; i < d.ops.call.length; i++) expect(d.ops.end[i]).toBeGreaterThanOrEqual(d.ops.call[i]);
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it('prepares 100,000 operations compactly', () => {
    const events = bigHistory(100_000, 10);
    const t0 = performance.now();
    const d = prepareReport(events, emptyResult);
    const elapsed = performance.now() - t0;
    expect(d.summary.ops).toBe(100_000);
    expect(d.lanes.length).toBeLessThanOrEqual(10);
    expect(d.throughput.t.length).toBeLessThanOrEqual(121);
    const bytes = JSON.stringify(d).length;
    // Columnar data: well under 100 bytes per op.
    expect(bytes / 100_000).toBeLessThan(100);
    console.log(`prepareReport(100k ops): ${elapsed.toFixed(0)} ms, ${(bytes / 1e6).toFixed(1)} MB of JSON`);
  });
});

function wellFormedHistory(): fc.Arbitrary<HistoryEvent[]> {
  // Steps: which thread acts, what completion type, time advance. Threads alternate invoke/complete; info retires the process.
  return fc.array(fc.tuple(fc.nat(3), fc.constantFrom('ok', 'fail', 'info'), fc.nat(5)), { maxLength: 60 }).map((steps) => {
    const events: HistoryEvent[] = [];
    const proc = [0, 1, 2, 3];
    const busy = [false, false, false, false];
    let next = 4;
    let t = 0;
    for (const [thread, type, dt] of steps) {
      t += dt;
      const p = proc[thread];
      if (!busy[thread]) {
        events.push({ index: events.length, time: t, process: p, type: 'invoke', f: 'write', value: 1 } as HistoryEvent);
      } else {
        events.push({ index: events.length, time: t, process: p, type, f: 'write', value: 1 } as HistoryEvent);
        if (type === 'info') proc[thread] = next++;
      }
      busy[thread] = !busy[thread];
    }
    return events;
  });
}

function eventSoup(): fc.Arbitrary<HistoryEvent[]> {
  const ev = fc.record({
    time: fc.oneof(fc.nat(1000), fc.constant(Number.NaN)),
    process: fc.oneof(fc.nat(4), fc.constant('nemesis' as const)),
    type: fc.constantFrom('invoke', 'ok', 'fail', 'info'),
    f: fc.constantFrom('read', 'write', 'cas', 'append', 'start-partition', 'stop-partition', 'start', 'stop', 'weird'),
    value: fc.oneof(fc.constant(null), fc.integer(), fc.string(), fc.tuple(fc.integer(), fc.integer())),
    key: fc.option(fc.constantFrom('x', 'y', ''), { nil: undefined }),
  });
  return fc.array(ev, { maxLength: 40 }).map((es) => es.map((e, index) => ({ ...e, index }) as unknown as HistoryEvent));
}
