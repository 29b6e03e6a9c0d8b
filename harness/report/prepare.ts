// Data preparation for the HTML report: turns a raw history and the checker's
// result into the compact, precomputed shapes the page draws. Everything here
// is pure and tolerant: a history the checker would reject (a completion
// without an invoke, an invoke that never completes, events out of order, no
// events at all) still yields a drawable report, because the report is what a
// person opens when something already went wrong.
import { measureAvailability, type Availability } from '../torture/availability.ts';
import type { CheckResult, HistoryEvent, KeyResult, Operation, OpFunction, Value, Verdict } from '../../checkers/types.ts';
import type { ReportTimeUnit } from './time.ts';
import { buildFailureView, type FailureView } from './failureView.ts';

/** What the torture runner knows about a run beyond the history itself. All optional: `inspect` of a bare history has none. */
export interface RunMeta {
  system?: string;
  nemeses?: string[];
  seed?: number | string;
  /** The exact command line that reproduces the run. */
  command?: string;
  /** What the system claims: a known-broken design is expected to fail. */
  expected?: 'linearizable' | 'not-linearizable' | string;
  /** The history file the report was built from. */
  historyPath?: string;
  /** Free-form extras shown in the summary (timings, toxiproxy URL ...). */
  extra?: Record<string, string | number | boolean>;
  /**
   * What the history's times are: ns since the start (default), or line
   * numbers for formats without a clock (Jepsen logs, EDN without :time). With
   * 'line', the report places operations by line and draws no latency or rates.
   */
  timeUnit?: 'ns' | 'line';
}

export const STATUS = { ok: 0, fail: 1, info: 2 } as const;
export type StatusCode = 0 | 1 | 2;

/** One operation as the report draws it; times in milliseconds since the run started. */
export interface ReportOp {
  invokeIndex: number;
  completeIndex: number | null;
  process: number;
  f: string;
  key: string;
  status: StatusCode;
  call: number;
  /** When the harness saw the completion; for an op that never completed, the end of the history. */
  end: number;
  /** True when `end` is not a real completion (no completion event): drawn open-ended. */
  open: boolean;
  /** e.g. "write 3", "read → 4", "cas 3→4", with the error if any. */
  label: string;
}

export interface Lane {
  /** Processes drawn in this lane, in the order they used it (a process that is done hands its lane on). */
  processes: number[];
}

export interface NemesisInterval {
  /** The fault's name: "partition" for start-partition/stop-partition. */
  name: string;
  start: number;
  end: number;
  /** No stop event: the fault lasted to the end of the history. */
  open: boolean;
  /** The value of the start event, as text. */
  detail: string;
  /** History indices of the start and stop events (stop: null while open), to place the fault among operations. */
  startIndex: number;
  endIndex: number | null;
}

export interface NemesisMark {
  time: number;
  f: string;
  detail: string;
}

/** Columnar operations: 100,000 ops as a handful of arrays keeps the embedded JSON small and the page fast. */
export interface ColumnarOps {
  call: number[];
  end: number[];
  lane: number[];
  status: number[];
  /** index into `fNames` */
  f: number[];
  /** index into `keyNames` */
  key: number[];
  process: number[];
  open: number[];
  /** history index of the invoke event: links an op to the checker's Operation */
  inv: number[];
  label: string[];
  fNames: string[];
  keyNames: string[];
}

export interface ThroughputSeries {
  /** bin start times, ms */
  t: number[];
  binMs: number;
  /** completions per second in each bin */
  ok: number[];
  fail: number[];
  info: number[];
}

export interface Summary {
  verdict: Verdict;
  expected?: string;
  system?: string;
  nemeses: string[];
  seed?: string;
  command?: string;
  historyPath?: string;
  ops: number;
  ok: number;
  fail: number;
  info: number;
  /** invokes with no completion at all */
  pending: number;
  keys: number;
  failingKeys: number;
  durationMs: number;
  /** 'ms': times in the data are milliseconds; 'line': they are line numbers (see RunMeta.timeUnit). */
  timeUnit: ReportTimeUnit;
  checkMs: number;
  extra: Record<string, string>;
  /** Things the report noticed about the history itself (completions without invokes ...). */
  warnings: string[];
}

export interface ReportData {
  summary: Summary;
  timeEnd: number;
  ops: ColumnarOps;
  lanes: Lane[];
  nemesis: NemesisInterval[];
  marks: NemesisMark[];
  throughput: ThroughputSeries;
  failures: FailureView[];
  perKey: KeyResult[];
  /** Served share per fault window and quiet time, and recovery times; null for histories without a clock. */
  availability: Availability | null;
}

const NS_PER_MS = 1e6;

function toMs(ns: number): number {
  // Microsecond precision is plenty for drawing and keeps the JSON short.
  return Math.round(ns / 1e3) / 1e3;
}

export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

/** How an operation reads in words: "write 3", "read → 4", "cas 3→4". */
export function opLabel(f: string, input: unknown, output: unknown, status: 'ok' | 'fail' | 'info' | 'pending'): string {
  let text: string;
  if (f === 'read') {
    text = status === 'ok' ? `read → ${formatValue(output)}` : 'read';
  } else if (f === 'cas' && Array.isArray(input) && input.length === 2) {
    text = `cas ${formatValue(input[0])}→${formatValue(input[1])}`;
  } else {
    text = `${f} ${formatValue(input)}`;
  }
  return text;
}

function isClientEvent(e: HistoryEvent): boolean {
  return e.process !== 'nemesis';
}

/**
 * Pair invokes with completions per process, tolerating anything: a completion
 * with no open invoke is reported as a warning and skipped; an invoke still open
 * at the end (or superseded by another invoke of the same process) becomes an
 * open-ended op with status info.
 */
export function pairForReport(events: HistoryEvent[]): { ops: ReportOp[]; warnings: string[]; timeEnd: number } {
  const warnings: string[] = [];
  const ops: ReportOp[] = [];
  const openByProcess = new Map<number, { op: ReportOp; input: unknown }>();
  let timeEnd = 0;
  let strayCompletions = 0;
  for (const e of events) {
    if (Number.isFinite(e.time)) timeEnd = Math.max(timeEnd, toMs(e.time));
  }
  const closeAsPending = (pending: { op: ReportOp }): void => {
    pending.op.open = true;
    pending.op.end = timeEnd;
    pending.op.label = `${pending.op.label} (no reply)`;
  };
  for (const e of events) {
    if (!isClientEvent(e)) continue;
    const process = e.process as number;
    const time = Number.isFinite(e.time) ? toMs(e.time) : 0;
    if (e.type === 'invoke') {
      const prev = openByProcess.get(process);
      if (prev !== undefined) {
        warnings.push(`process ${process} invoked again at event ${e.index} before its op from event ${prev.op.invokeIndex} completed`);
        closeAsPending(prev);
      }
      const op: ReportOp = {
        invokeIndex: e.index,
        completeIndex: null,
        process,
        f: String(e.f),
        key: e.key ?? '',
        status: STATUS.info,
        call: time,
        end: timeEnd,
        open: true,
        label: opLabel(String(e.f), e.value, null, 'pending'),
      };
      ops.push(op);
      openByProcess.set(process, { op, input: e.value });
      continue;
    }
    const pending = openByProcess.get(process);
    if (pending === undefined) {
      strayCompletions++;
      continue;
    }
    openByProcess.delete(process);
    const op = pending.op;
    op.completeIndex = e.index;
    op.status = STATUS[e.type as 'ok' | 'fail' | 'info'] ?? STATUS.info;
    op.end = Math.max(time, op.call);
    op.open = false;
    const input = e.type === 'ok' && String(e.f) !== 'read' ? e.value : pending.input;
    const output = String(e.f) === 'read' ? e.value : null;
    op.label = opLabel(op.f, input ?? pending.input, output, e.type as 'ok' | 'fail' | 'info');
    if (e.type !== 'ok') {
      const err = (e as { error?: string }).error;
      op.label += e.type === 'fail' ? ` (failed${err ? `: ${err}` : ''})` : ` (indeterminate${err ? `: ${err}` : ''})`;
    }
  }
  for (const pending of openByProcess.values()) closeAsPending(pending);
  if (strayCompletions > 0) warnings.push(`${strayCompletions} completion event(s) had no matching invoke and are not drawn`);
  return { ops, warnings, timeEnd };
}

/**
 * Assign each op a lane. A lane is a client thread: in Jepsen's convention a
 * process that ends with `info` is retired and a fresh process id takes its
 * place, so drawing one lane per process id would leave thousands of one-op
 * lanes. The report is drawn after the run, so each process's last operation
 * is known: a new process takes the lowest lane whose previous process had
 * made its last operation (retired after info, or simply done, like the
 * workload's clients before the final reads) by the time it first invokes.
 */
export function assignLanes(ops: ReportOp[]): { laneOf: number[]; lanes: Lane[] } {
  const lanes: Lane[] = [];
  const laneOf = new Array<number>(ops.length);
  const laneByProcess = new Map<number, number>();
  const lastOpOf = new Map<number, number>();
  for (let i = 0; i < ops.length; i++) lastOpOf.set(ops[i].process, i);
  // Per lane: the time at which it became free (Infinity while its process may still invoke).
  const freeAt: number[] = [];
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    let lane = laneByProcess.get(op.process);
    if (lane === undefined) {
      lane = -1;
      for (let l = 0; l < freeAt.length; l++) {
        if (freeAt[l] <= op.call) {
          lane = l;
          break;
        }
      }
      if (lane === -1) {
        lane = lanes.length;
        lanes.push({ processes: [] });
        freeAt.push(Infinity);
      }
      laneByProcess.set(op.process, lane);
      lanes[lane].processes.push(op.process);
    }
    laneOf[i] = lane;
    const last = lastOpOf.get(op.process) === i;
    freeAt[lane] = last && !op.open ? op.end : Infinity;
    if (last) laneByProcess.delete(op.process);
  }
  return { laneOf, lanes };
}

function faultName(f: string): { kind: 'start' | 'stop' | 'mark'; name: string } {
  const m = /^(start|stop)(?:[-_:](.*))?$/.exec(f);
  if (m === null) return { kind: 'mark', name: f };
  return { kind: m[1] as 'start' | 'stop', name: m[2] ?? 'fault' };
}

/**
 * Nemesis intervals from start-X / stop-X event pairs. A repeated start of a
 * fault already in force is ignored (Jepsen logs invoke and info for each); a
 * start with no stop lasts to the end; a stop with no start and any other
 * nemesis event become instant marks.
 */
export function nemesisIntervals(events: HistoryEvent[], timeEnd: number): { intervals: NemesisInterval[]; marks: NemesisMark[] } {
  const intervals: NemesisInterval[] = [];
  const marks: NemesisMark[] = [];
  const open = new Map<string, NemesisInterval>();
  for (const e of events) {
    if (e.process !== 'nemesis') continue;
    const time = Number.isFinite(e.time) ? toMs(e.time) : 0;
    const detail = e.value === undefined ? '' : formatValue(e.value);
    const { kind, name } = faultName(String(e.f));
    if (kind === 'start') {
      if (open.has(name)) continue;
      const interval: NemesisInterval = { name, start: time, end: timeEnd, open: true, detail, startIndex: e.index, endIndex: null };
      open.set(name, interval);
      intervals.push(interval);
    } else if (kind === 'stop') {
      const interval = open.get(name);
      if (interval === undefined) {
        marks.push({ time, f: String(e.f), detail });
        continue;
      }
      interval.end = Math.max(time, interval.start);
      interval.open = false;
      interval.endIndex = e.index;
      open.delete(name);
    } else {
      marks.push({ time, f: String(e.f), detail });
    }
  }
  return { intervals, marks };
}

/** A round bin width (1, 2, 5 × 10^n ms) giving about `target` bins over `spanMs`. */
export function niceBinMs(spanMs: number, target = 120): number {
  if (!(spanMs > 0)) return 1;
  const raw = spanMs / target;
  const pow = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) {
    if (m * pow >= raw) return m * pow;
  }
  return 10 * pow;
}

/** Completions per second by outcome, binned by completion time; open ops (no completion) are not counted. */
export function throughput(ops: ReportOp[], timeEnd: number, target = 120): ThroughputSeries {
  const binMs = niceBinMs(timeEnd, target);
  const n = ops.length === 0 ? 0 : Math.max(1, Math.ceil((timeEnd + 1e-9) / binMs));
  const ok = new Array<number>(n).fill(0);
  const fail = new Array<number>(n).fill(0);
  const info = new Array<number>(n).fill(0);
  for (const op of ops) {
    if (op.open) continue;
    const b = Math.min(n - 1, Math.max(0, Math.floor(op.end / binMs)));
    (op.status === STATUS.ok ? ok : op.status === STATUS.fail ? fail : info)[b]++;
  }
  const perSecond = 1000 / binMs;
  const scale = (a: number[]): number[] => a.map((c) => Math.round(c * perSecond * 100) / 100);
  return { t: Array.from({ length: n }, (_, i) => i * binMs), binMs, ok: scale(ok), fail: scale(fail), info: scale(info) };
}

export function toColumns(ops: ReportOp[], laneOf: number[]): ColumnarOps {
  const fNames: string[] = [];
  const keyNames: string[] = [];
  const fIndex = new Map<string, number>();
  const keyIndex = new Map<string, number>();
  const intern = (m: Map<string, number>, names: string[], s: string): number => {
    let i = m.get(s);
    if (i === undefined) {
      i = names.length;
      names.push(s);
      m.set(s, i);
    }
    return i;
  };
  const cols: ColumnarOps = { call: [], end: [], lane: [], status: [], f: [], key: [], process: [], open: [], inv: [], label: [], fNames, keyNames };
  ops.forEach((op, i) => {
    cols.call.push(op.call);
    cols.end.push(op.end);
    cols.lane.push(laneOf[i]);
    cols.status.push(op.status);
    cols.f.push(intern(fIndex, fNames, op.f));
    cols.key.push(intern(keyIndex, keyNames, op.key));
    cols.process.push(op.process);
    cols.open.push(op.open ? 1 : 0);
    cols.inv.push(op.invokeIndex);
    cols.label.push(op.label);
  });
  return cols;
}

/** Everything the page needs, computed once in Node so the browser only draws. */
export function prepareReport(history: HistoryEvent[], rawResult: CheckResult, meta: RunMeta = {}): ReportData {
  const unit: ReportTimeUnit = meta.timeUnit === 'line' ? 'line' : 'ms';
  // Line numbers are scaled so that one line is one "ms" everywhere below; the formatters then say "line N".
  const scaled = unit === 'line' ? linesAsMs(history, rawResult) : { history, result: rawResult };
  const result = scaled.result;
  // Order by index when the file was written out of order; ties keep file order.
  const events = [...scaled.history].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
  const { ops, warnings, timeEnd } = pairForReport(events);
  const { laneOf, lanes } = assignLanes(ops);
  const { intervals, marks } = nemesisIntervals(events, timeEnd);
  const opsByInvokeIndex = new Map<number, ReportOp>();
  for (const op of ops) opsByInvokeIndex.set(op.invokeIndex, op);
  const failures = result.failures.map((f, i) => buildFailureView(f, ops, opsByInvokeIndex, i, intervals, unit));
  const count = (s: StatusCode): number => ops.filter((o) => o.status === s && !(s === STATUS.info && o.completeIndex === null)).length;
  const keys = new Set(ops.map((o) => o.key));
  const extra: Record<string, string> = {};
  for (const [k, v] of Object.entries(meta.extra ?? {})) extra[k] = String(v);
  const summary: Summary = {
    verdict: result.valid,
    expected: meta.expected,
    system: meta.system,
    // A bare history has no run metadata, but its nemesis events say which faults ran.
    nemeses: meta.nemeses ?? [...new Set(intervals.map((n) => n.name))],
    seed: meta.seed === undefined ? undefined : String(meta.seed),
    command: meta.command,
    historyPath: meta.historyPath,
    ops: ops.length,
    ok: count(STATUS.ok),
    fail: count(STATUS.fail),
    info: count(STATUS.info),
    pending: ops.filter((o) => o.completeIndex === null).length,
    keys: Math.max(result.keys, keys.size),
    failingKeys: result.failures.length,
    durationMs: timeEnd,
    timeUnit: unit,
    checkMs: result.elapsedMs,
    extra,
    warnings,
  };
  const perKey = [...result.perKey].sort((a, b) => verdictRank(a.valid) - verdictRank(b.valid) || a.key.localeCompare(b.key));
  return {
    summary,
    timeEnd,
    ops: toColumns(ops, laneOf),
    lanes,
    nemesis: intervals,
    marks,
    throughput: throughput(ops, timeEnd, Math.min(120, Math.max(10, Math.round(ops.length / 8)))),
    failures,
    perKey,
    availability: unit === 'line' ? null : measureAvailability(history),
  };
}

function linesAsMs(history: HistoryEvent[], result: CheckResult): { history: HistoryEvent[]; result: CheckResult } {
  const op = (o: Operation): Operation => ({ ...o, call: o.call * NS_PER_MS, return: o.return * NS_PER_MS });
  return {
    history: history.map((e) => ({ ...e, time: e.time * NS_PER_MS })),
    result: {
      ...result,
      failures: result.failures.map((f) => ({
        ...f,
        longestPrefix: f.longestPrefix.map((s) => ({ ...s, op: op(s.op) })),
        stuck: op(f.stuck),
        minimal: f.minimal.map(op),
      })),
    },
  };
}

function verdictRank(v: Verdict): number {
  return v === false ? 0 : v === 'unknown' ? 1 : 2;
}

export { NS_PER_MS };
export type { OpFunction, Value };
