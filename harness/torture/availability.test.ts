import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../../checkers/types.ts';
import { availabilityShortfall, WORKLOAD_END_MARK, measureAvailability } from './availability.ts';

const S = 1e9;
let index = 0;
function ev(t: number, process: number | 'nemesis', type: string, f: string, value: unknown = null): HistoryEvent {
  return { index: index++, time: Math.round(t * S), process, type, f, key: 'k', value } as HistoryEvent;
}
/** One operation on its own process: invoked at `t`, completed `type` at `t + d`. */
let nextProcess = 0;
function op(t: number, type: 'ok' | 'fail' | 'info', d = 0.01): HistoryEvent[] {
  const p = nextProcess++;
  return [ev(t, p, 'invoke', 'read'), ev(t + d, p, type, 'read', 1)];
}
function sorted(events: HistoryEvent[]): HistoryEvent[] {
  return events.sort((a, b) => a.time - b.time).map((e, i) => ({ ...e, index: i }));
}

describe('availability from a history', () => {
  it('counts per window and quiet time, times the recovery after the start and after the heal, and finds the longest outage', () => {
    const h = sorted([
      ...op(0, 'ok'), ...op(1, 'ok'),
      ev(2, 'nemesis', 'info', 'start-partition'),
      ...op(2.5, 'fail'), ...op(3, 'info', 2), ...op(4.5, 'ok'), // the first ok after the start completes at 4.51 s
      ev(6, 'nemesis', 'info', 'stop-partition'),
      ...op(6.2, 'fail'), ...op(7, 'ok'), // the first ok after the heal at 7.01 s
      ...op(8, 'ok'),
    ]);
    const a = measureAvailability(h);
    expect(a.windows).toHaveLength(1);
    const [w] = a.windows;
    expect(w).toMatchObject({ faults: 'partition', startS: 2, endS: 6, invoked: 3, ok: 1 });
    expect(w.ratio).toBeCloseTo(1 / 3);
    expect(w.recoverS).toBeCloseTo(2.51);
    expect(w.afterHealS).toBeCloseTo(1.01);
    expect(a.duringFaults).toBeCloseTo(1 / 3);
    expect(a.quiet).toBeCloseTo(4 / 5);
    // No ok completion from 1.01 s to 4.51 s.
    expect(a.longestOutageS).toBeCloseTo(3.5);
    expect(availabilityShortfall(a, 5)).toBeNull();
    expect(availabilityShortfall(a, 2)).toMatch(/nothing succeeded for 2\.5 s after the partition fault at 2\.0-6\.0 s started \(claimed: within 2 s\)/);
  });

  it('a cas refused for its precondition was served; other refusals were not', () => {
    const p = 900;
    const h = sorted([
      ev(0, p, 'invoke', 'cas', [1, 2]), { ...ev(0.1, p, 'fail', 'cas', [1, 2]), error: 'precondition-failed' } as HistoryEvent,
      ev(1, p + 1, 'invoke', 'cas', [1, 2]), { ...ev(1.1, p + 1, 'fail', 'cas', [1, 2]), error: 'temporarily-unavailable' } as HistoryEvent,
    ]);
    expect(measureAvailability(h).quiet).toBe(0.5);
  });

  it('parts of one run that start and stop together make one window; a run without faults has none', () => {
    const h = sorted([
      ...op(0, 'ok'),
      ev(1, 'nemesis', 'info', 'start-partition'), ev(1, 'nemesis', 'info', 'start-kill'),
      ...op(1.5, 'info', 5),
      ev(3, 'nemesis', 'info', 'stop-kill'), ev(3, 'nemesis', 'info', 'stop-partition'),
      ...op(4, 'ok'),
    ]);
    const a = measureAvailability(h);
    expect(a.windows.map((w) => [w.faults, w.startS, w.endS, w.ratio])).toEqual([['partition+kill', 1, 3, 0]]);
    expect(measureAvailability(sorted([...op(0, 'ok'), ...op(1, 'ok')])).duringFaults).toBeNull();
  });

  it('a fault after which nothing ever succeeds again is named, and the final reads do not count', () => {
    const h = sorted([
      ...op(0, 'ok'),
      ev(1, 'nemesis', 'info', 'start-pause'),
      ...op(1.5, 'info', 3),
      ev(5, 'nemesis', 'info', 'stop-pause'),
      ...op(5.5, 'fail'),
      ev(6, 'nemesis', 'info', WORKLOAD_END_MARK),
      ...op(7, 'ok'),
    ]);
    const a = measureAvailability(h);
    expect(a.windows[0]).toMatchObject({ ratio: 0, recoverS: null, afterHealS: null });
    expect(a.quiet).toBe(0.5);
    expect(a.longestOutageS).toBeCloseTo(5.99);
    expect(availabilityShortfall(a, 5)).toMatch(/no operation succeeded after the pause fault at 1\.0-5\.0 s started, for the rest of the run/);
  });
});
