import { describe, expect, it } from 'vitest';
import type { ViewOp } from './failureView.ts';
import { LIN_WINDOW, placeLinearizationPoints } from './failureView.ts';
import { failoverExample, failureFrom, operationsOf, resultFor } from './fixtures.ts';
import { prepareReport } from './prepare.ts';
import type { HistoryEvent } from '../../checkers/types.ts';

const EXAMPLE = new URL('../../histories/examples/bad-failover-split-brain.jsonl', import.meta.url).pathname;

describe('failure view of the failover example', () => {
  const { history, result } = failoverExample(EXAMPLE);
  const view = prepareReport(history, result).failures[0];

  it('draws the prefix as numbered steps with states, and marks the stuck read', () => {
    const steps = view.lin.ops.filter((o) => o.role === 'step').sort((a, b) => (a.step as number) - (b.step as number));
    expect(steps.map((s) => [s.step, s.label, s.before, s.after])).toEqual([
      [1, 'write 1', 'nil', '1'],
      [2, 'read → 1', '1', '1'],
      [3, 'cas 1→2', '1', '2'],
      [4, 'read → 2', '2', '2'],
      [5, 'write 4', '2', '4'],
    ]);
    const stuck = view.lin.ops.filter((o) => o.role === 'stuck');
    expect(stuck.map((o) => [o.process, o.label, o.before])).toEqual([[2, 'read → 2', '4']]);
    expect(view.stuck).toMatchObject({ label: 'read → 2', process: 2, state: '4' });
  });

  it('shows the concurrent indeterminate write that the checker had not placed', () => {
    const others = view.lin.ops.filter((o) => o.role === 'other');
    expect(others.map((o) => [o.process, o.infinite])).toEqual([[1, true]]);
  });

  it('places linearization points in order, each inside its operation', () => {
    const steps = view.lin.ops.filter((o) => o.role === 'step').sort((a, b) => (a.step as number) - (b.step as number));
    for (let i = 0; i < steps.length; i++) {
      const s = steps[i];
      expect(s.lp).toBeGreaterThanOrEqual(s.x0);
      expect(s.lp).toBeLessThanOrEqual(s.x1);
      if (i > 0) expect(s.lp).toBeGreaterThan(steps[i - 1].lp as number);
    }
  });

  it('explains the minimal counterexample with real-time facts', () => {
    expect(view.minimal.ops).toHaveLength(4);
    expect(view.minimal.facts).toEqual([
      'p0 "write 1" finished before p0 "cas 1→2" started',
      'p0 "cas 1→2" finished before p0 "write 4" started',
      'p0 "write 4" finished before p2 "read → 2" started',
    ]);
    expect(view.minimal.sentences[3]).toMatch(/process 2: read → 2 — invoked at 0.0440 s, done at 0.0451 s/);
  });
});

describe('failure view edge cases', () => {
  it('a failure whose first op cannot be placed (empty prefix)', () => {
    const history = [
      { index: 0, time: 0, process: 0, type: 'invoke', f: 'read', key: 'k', value: null },
      { index: 1, time: 10, process: 0, type: 'ok', f: 'read', key: 'k', value: 9 },
    ] as HistoryEvent[];
    const ops = operationsOf(history);
    const f = failureFrom(ops, 'k', [], 0, [0], 'read 9 but nothing wrote 9');
    const view = prepareReport(history, resultFor(history, [f])).failures[0];
    expect(view.prefixLength).toBe(0);
    expect(view.stuck.state).toBe('nil');
    expect(view.lin.ops.map((o) => o.role)).toEqual(['stuck']);
  });

  it('windows a long prefix to its last steps', () => {
    const history: HistoryEvent[] = [];
    const n = LIN_WINDOW * 3;
    for (let i = 0; i < n; i++) {
      history.push({ index: history.length, time: i * 10, process: 0, type: 'invoke', f: 'write', key: 'k', value: i } as HistoryEvent);
      history.push({ index: history.length, time: i * 10 + 5, process: 0, type: 'ok', f: 'write', key: 'k', value: i } as HistoryEvent);
    }
    history.push({ index: history.length, time: n * 10, process: 1, type: 'invoke', f: 'read', key: 'k', value: null } as HistoryEvent);
    history.push({ index: history.length, time: n * 10 + 5, process: 1, type: 'ok', f: 'read', key: 'k', value: 3 } as HistoryEvent);
    const ops = operationsOf(history);
    const prefix = ops.slice(0, n).map((o, i) => [o.invokeIndex, i === 0 ? null : i - 1, i] as [number, number | null, number]);
    const f = failureFrom(ops, 'k', prefix, ops[n].invokeIndex, [], 'stale');
    const view = prepareReport(history, resultFor(history, [f])).failures[0];
    expect(view.shownFrom).toBe(n - LIN_WINDOW);
    expect(view.lin.ops.filter((o) => o.role === 'step')).toHaveLength(LIN_WINDOW);
    expect(view.minimal.ops).toEqual([]);
  });

  it('accepts results read back from JSON (Infinity became null)', () => {
    const { history, result } = failoverExample(EXAMPLE);
    const roundTripped = JSON.parse(JSON.stringify(result));
    const view = prepareReport(history, roundTripped).failures[0];
    expect(view.lin.ops.find((o) => o.role === 'other')?.infinite).toBe(true);
  });
});

describe('placeLinearizationPoints', () => {
  it('spreads points that share a slot', () => {
    const op = (step: number, x0: number, x1: number): ViewOp =>
      ({ id: step, invokeIndex: step, process: step, row: step, x0, x1, infinite: false, status: 'ok', label: '', role: 'step', step, callMs: 0, endMs: 0 }) as ViewOp;
    const ops = [op(1, 0, 3), op(2, 0, 3), op(3, 0, 3)];
    placeLinearizationPoints(ops);
    const lps = ops.map((o) => o.lp as number);
    expect(lps[0]).toBeLessThan(lps[1]);
    expect(lps[1]).toBeLessThan(lps[2]);
    expect(lps[2]).toBeLessThanOrEqual(3);
  });
});

describe('failure view at 100,000 operations', () => {
  it('draws only a window of a 10,000-step prefix and keeps the page data small', async () => {
    const { bigHistory } = await import('./fixtures.ts');
    const history = bigHistory(100_000, 10);
    const ops = operationsOf(history).filter((o) => o.key === 'k0');
    const prefix = ops.slice(0, 10_000).map((o) => [o.invokeIndex, 0, 0] as [number, number, number]);
    const stuck = ops[10_000];
    const f = failureFrom(operationsOf(history), 'k0', prefix, stuck.invokeIndex, [prefix[0][0], stuck.invokeIndex], 'synthetic');
    const d = prepareReport(history, resultFor(history, [f]));
    const view = d.failures[0];
    expect(view.prefixLength).toBe(10_000);
    expect(view.lin.ops.length).toBeLessThanOrEqual(LIN_WINDOW + 1 + 30);
    expect(JSON.stringify(view).length).toBeLessThan(40_000);
  });
});
