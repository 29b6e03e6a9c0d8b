// Layout of one failing key, in the manner of Porcupine's visualizer: the
// operations of that key in rows (one per process), placed on an *ordinal*
// time axis (each invoke or completion event gets the next slot, in history
// order) so short and long operations stay equally readable, with the
// checker's longest linearizable prefix drawn as numbered linearization
// points and the operation that cannot be placed after it marked.
import type { KeyFailure, Operation, Value } from '../../checkers/types.ts';
import { formatValue, opLabel, STATUS, type NemesisInterval, type ReportOp } from './prepare.ts';

/** How many of the prefix's last steps the view draws; earlier steps are summarised (they linearized fine). */
export const LIN_WINDOW = 30;
/** At most this many not-yet-placed operations of the key are drawn around the stuck one. */
export const MAX_OTHERS = 30;

export type ViewRole = 'step' | 'stuck' | 'other' | 'member';

export interface ViewOp {
  /** Operation id from the checker (position in invoke order), or -1 for ops only the report knows. */
  id: number;
  invokeIndex: number;
  process: number;
  row: number;
  /** Ordinal slots (event positions); x1 = width for an op that returns at infinity. */
  x0: number;
  x1: number;
  infinite: boolean;
  status: 'ok' | 'fail' | 'info';
  label: string;
  role: ViewRole;
  /** 1-based position in the linearization (prefix steps only). */
  step?: number;
  /** Where the linearization point is drawn, in slots. */
  lp?: number;
  before?: string;
  after?: string;
  /** Real times in ms for the tooltip. */
  callMs: number;
  endMs: number | null;
}

export interface FaultSpan {
  name: string;
  /** slots; x1 = width when the fault was still in force after the last event drawn */
  x0: number;
  x1: number;
}

export interface OrdinalDiagram {
  ops: ViewOp[];
  /** Faults in force while these operations ran, placed among their events. */
  faults: FaultSpan[];
  /** Process shown in each row. */
  rows: number[];
  /** Number of slots. */
  width: number;
}

export interface FailureView {
  key: string;
  /** An HTML id fragment safe for anchors. */
  anchor: string;
  explanation: string;
  prefixLength: number;
  /** 0-based index of the first prefix step drawn. */
  shownFrom: number;
  stuck: { label: string; process: number; state: string; invokeIndex: number };
  lin: OrdinalDiagram;
  minimal: OrdinalDiagram & { facts: string[]; sentences: string[] };
  /** Real-time span of the drawn linearization window, ms, for "show on the timeline". */
  timeRange: [number, number];
  /** Real-time span of the minimal counterexample, ms (null without one). */
  minimalRange: [number, number] | null;
}

interface Placed {
  op: Operation;
  role: ViewRole;
  step?: number;
  before?: Value;
  after?: Value;
}

function finiteReturn(op: Operation): boolean {
  // results.json turns Infinity into null: both mean "returns at infinity".
  return typeof op.return === 'number' && Number.isFinite(op.return) && op.status !== 'info';
}

function labelFor(op: Operation, byInvoke: Map<number, ReportOp>): string {
  const known = byInvoke.get(op.invokeIndex);
  if (known !== undefined) return known.label;
  return opLabel(op.f, op.input, op.output, op.status);
}

function nsToMs(ns: number): number {
  return Math.round(ns / 1e3) / 1e3;
}

/**
 * Place operations on ordinal slots by the history positions of their invoke
 * and completion events. An op that returns at infinity (info, or never
 * completed) stretches to the right edge.
 */
export function ordinalLayout(placed: Placed[], byInvoke: Map<number, ReportOp>, nemesis: NemesisInterval[] = []): OrdinalDiagram {
  const positions: number[] = [];
  for (const p of placed) {
    positions.push(p.op.invokeIndex);
    if (finiteReturn(p.op) && p.op.completeIndex !== null) positions.push(p.op.completeIndex);
  }
  const sorted = [...new Set(positions)].sort((a, b) => a - b);
  const slot = new Map<number, number>();
  sorted.forEach((p, i) => slot.set(p, i));
  const width = sorted.length + 1;
  const rowOf = new Map<number, number>();
  const rows: number[] = [];
  // Rows in order of first appearance, so the earliest activity is on top.
  for (const p of [...placed].sort((a, b) => a.op.invokeIndex - b.op.invokeIndex)) {
    if (!rowOf.has(p.op.process)) {
      rowOf.set(p.op.process, rows.length);
      rows.push(p.op.process);
    }
  }
  const ops: ViewOp[] = placed.map((p) => {
    const infinite = !finiteReturn(p.op) || p.op.completeIndex === null;
    const x0 = slot.get(p.op.invokeIndex) ?? 0;
    const x1 = infinite ? width : (slot.get(p.op.completeIndex as number) ?? x0 + 1);
    const known = byInvoke.get(p.op.invokeIndex);
    const v: ViewOp = {
      id: p.op.id,
      invokeIndex: p.op.invokeIndex,
      process: p.op.process,
      row: rowOf.get(p.op.process) ?? 0,
      x0,
      x1: Math.max(x1, x0 + 0.5),
      infinite,
      status: p.op.status,
      label: labelFor(p.op, byInvoke),
      role: p.role,
      callMs: known?.call ?? nsToMs(p.op.call),
      endMs: known !== undefined ? (known.open ? null : known.end) : finiteReturn(p.op) ? nsToMs(p.op.return) : null,
    };
    if (p.step !== undefined) {
      v.step = p.step;
      v.before = formatValue(p.before);
      v.after = formatValue(p.after);
    }
    return v;
  });
  placeLinearizationPoints(ops);
  // A fault event between two drawn events sits halfway between their slots.
  const slotBefore = (index: number): number => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid] < index) lo = mid + 1;
      else hi = mid;
    }
    return lo - 0.5;
  };
  const faults: FaultSpan[] = [];
  for (const n of nemesis) {
    const x0 = Math.max(-0.4, slotBefore(n.startIndex));
    const x1 = n.endIndex === null ? width : Math.min(width, slotBefore(n.endIndex));
    if (x1 > x0 && x1 > -0.4 && x0 < width) faults.push({ name: n.name, x0, x1 });
  }
  return { ops, faults, rows, width };
}

/**
 * Linearization points, earliest-first: step i sits at max(its invoke, the
 * previous point). For a valid linearization this stays inside the op's
 * interval; points that share a slot are spread across it so each is visible.
 */
export function placeLinearizationPoints(ops: ViewOp[]): void {
  const steps = ops.filter((o) => o.step !== undefined).sort((a, b) => (a.step as number) - (b.step as number));
  let prev = -Infinity;
  const base: number[] = [];
  for (const s of steps) {
    const p = Math.max(s.x0, prev);
    base.push(p);
    prev = p;
  }
  let i = 0;
  while (i < steps.length) {
    let j = i;
    while (j < steps.length && base[j] === base[i]) j++;
    const k = j - i;
    for (let m = i; m < j; m++) {
      const s = steps[m];
      const room = Math.max(0.2, Math.min(1, s.x1 - base[m]));
      s.lp = base[m] + (room * (m - i + 1)) / (k + 1);
      if (!s.infinite) s.lp = Math.min(s.lp, s.x1 - 0.05);
    }
    i = j;
  }
}

/** "A finished before B started" facts among a few ops, transitive steps left out. */
export function realTimeFacts(ops: ViewOp[], placed: Operation[]): string[] {
  const byId = new Map<number, ViewOp>();
  ops.forEach((o, i) => byId.set(i, o));
  const before = (a: Operation, b: Operation): boolean => finiteReturn(a) && a.completeIndex !== null && a.completeIndex < b.invokeIndex;
  const facts: string[] = [];
  for (let a = 0; a < placed.length; a++) {
    for (let b = 0; b < placed.length; b++) {
      if (a === b || !before(placed[a], placed[b])) continue;
      // Skip a→b when some c has a→c→b: the chain already says it.
      const implied = placed.some((c, ci) => ci !== a && ci !== b && before(placed[a], c) && before(c, placed[b]));
      if (implied) continue;
      const oa = byId.get(a) as ViewOp;
      const ob = byId.get(b) as ViewOp;
      facts.push(`p${oa.process} "${oa.label}" finished before p${ob.process} "${ob.label}" started`);
    }
  }
  return facts.slice(0, 12);
}

function anchorFor(key: string, index: number): string {
  return `key-${index}-${key.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40)}`;
}

export function buildFailureView(failure: KeyFailure, allOps: ReportOp[], byInvoke: Map<number, ReportOp>, index: number, nemesis: NemesisInterval[] = []): FailureView {
  const prefix = failure.longestPrefix ?? [];
  const shownFrom = Math.max(0, prefix.length - LIN_WINDOW);
  const shown = prefix.slice(shownFrom);
  const stuck = failure.stuck;
  const placed: Placed[] = shown.map((s, i) => ({ op: s.op, role: 'step', step: shownFrom + i + 1, before: s.stateBefore, after: s.stateAfter }));
  const inPrefix = new Set(prefix.map((s) => s.op.invokeIndex));
  if (stuck !== undefined && stuck !== null) placed.push({ op: stuck, role: 'stuck' });

  // Other operations of this key that the prefix had not placed yet and that
  // overlap the drawn window: they are what the stuck op competes with.
  const windowStartIndex = shown.length > 0 ? Math.min(...shown.map((s) => s.op.invokeIndex)) : stuck?.invokeIndex ?? 0;
  const stuckEndIndex = stuck?.completeIndex ?? stuck?.invokeIndex ?? Infinity;
  const others: ReportOp[] = [];
  for (const op of allOps) {
    if (op.key !== failure.key || op.status === STATUS.fail) continue;
    if (inPrefix.has(op.invokeIndex) || op.invokeIndex === stuck?.invokeIndex) continue;
    const endIndex = op.completeIndex !== null && op.status === STATUS.ok ? op.completeIndex : Infinity;
    if (endIndex >= windowStartIndex && op.invokeIndex <= stuckEndIndex) others.push(op);
  }
  others.sort((a, b) => Math.abs(a.invokeIndex - (stuck?.invokeIndex ?? 0)) - Math.abs(b.invokeIndex - (stuck?.invokeIndex ?? 0)));
  for (const o of others.slice(0, MAX_OTHERS)) {
    placed.push({
      op: {
        id: -1,
        process: o.process,
        f: o.f as Operation['f'],
        key: o.key,
        input: null,
        output: null,
        status: o.status === STATUS.ok ? 'ok' : 'info',
        call: o.call * 1e6,
        return: o.status === STATUS.ok ? o.end * 1e6 : Infinity,
        invokeIndex: o.invokeIndex,
        completeIndex: o.completeIndex,
      },
      role: 'other',
    });
  }
  const lin = ordinalLayout(placed, byInvoke, nemesis);
  const lastState = prefix.length > 0 ? prefix[prefix.length - 1].stateAfter : null;
  for (const o of lin.ops) if (o.role === 'stuck') o.before = formatValue(lastState);

  const minimalOps = failure.minimal ?? [];
  const minimalPlaced: Placed[] = minimalOps.map((op) => ({ op, role: op.invokeIndex === stuck?.invokeIndex ? 'stuck' : 'member' }));
  const minimalDiagram = ordinalLayout(minimalPlaced, byInvoke, nemesis);
  const sentences = minimalDiagram.ops.map((o) => {
    const end = o.infinite ? 'never confirmed (indeterminate)' : `done at ${o.endMs} ms`;
    return `process ${o.process}: ${o.label} — invoked at ${o.callMs} ms, ${end}`;
  });

  const drawnCalls = lin.ops.map((o) => o.callMs);
  const drawnEnds = lin.ops.map((o) => o.endMs ?? o.callMs);
  return {
    key: failure.key,
    anchor: anchorFor(failure.key, index),
    explanation: failure.explanation ?? '',
    prefixLength: prefix.length,
    shownFrom,
    stuck: {
      label: stuck ? labelFor(stuck, byInvoke) : '(none)',
      process: stuck?.process ?? -1,
      state: formatValue(lastState),
      invokeIndex: stuck?.invokeIndex ?? -1,
    },
    lin,
    minimal: { ...minimalDiagram, facts: realTimeFacts(minimalDiagram.ops, minimalOps), sentences },
    timeRange: lin.ops.length > 0 ? [Math.min(...drawnCalls), Math.max(...drawnEnds)] : [0, 0],
    minimalRange:
      minimalDiagram.ops.length > 0
        ? [Math.min(...minimalDiagram.ops.map((o) => o.callMs)), Math.max(...minimalDiagram.ops.map((o) => o.endMs ?? o.callMs))]
        : null,
  };
}
