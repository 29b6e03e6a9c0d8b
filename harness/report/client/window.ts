// Windowing and level of detail for the timeline, shared by the page (bundled
// into report.html) and the unit tests. Pure functions over the columnar ops:
// no DOM. With 100,000 operations the page must only touch the ops that
// overlap the visible time window, and draw thousands of sub-pixel bars as a
// few merged segments instead.

export interface TimelineCols {
  call: number[];
  end: number[];
  lane: number[];
  status: number[];
}

/** Per lane: op indices sorted by call time, and the running maximum of their end times (for binary search on overlap). */
export interface LaneIndex {
  ops: number[];
  maxEnd: number[];
}

export function buildLaneIndex(cols: TimelineCols, laneCount: number): LaneIndex[] {
  const lanes: LaneIndex[] = Array.from({ length: laneCount }, () => ({ ops: [], maxEnd: [] }));
  const order = cols.call.map((_, i) => i).sort((a, b) => cols.call[a] - cols.call[b] || a - b);
  for (const i of order) {
    const lane = lanes[cols.lane[i]];
    if (lane === undefined) continue;
    const prev = lane.maxEnd.length > 0 ? lane.maxEnd[lane.maxEnd.length - 1] : -Infinity;
    lane.ops.push(i);
    lane.maxEnd.push(Math.max(prev, cols.end[i]));
  }
  return lanes;
}

/** Indices (into the lane's sorted list) of the first op that could overlap t0. */
function firstCandidate(lane: LaneIndex, t0: number): number {
  let lo = 0;
  let hi = lane.maxEnd.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (lane.maxEnd[mid] < t0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Op indices in this lane whose interval [call, end] overlaps [t0, t1], in call order. */
export function visibleInLane(lane: LaneIndex, cols: TimelineCols, t0: number, t1: number): number[] {
  const out: number[] = [];
  for (let k = firstCandidate(lane, t0); k < lane.ops.length; k++) {
    const i = lane.ops[k];
    if (cols.call[i] > t1) break;
    if (cols.end[i] >= t0) out.push(i);
  }
  return out;
}

export interface Segment {
  /** pixel span */
  x0: number;
  x1: number;
  /** the status drawn: the most alarming one merged in (info > fail > ok) */
  status: number;
  /** how many ops this segment stands for */
  count: number;
  /** one op of the segment (the first), for hover */
  first: number;
}

const severity = (status: number): number => (status === 2 ? 2 : status === 1 ? 1 : 0);

/**
 * Level of detail: bars narrower than `minPx` that touch the previous segment
 * (within `gapPx`) merge into it. A merged segment keeps the most alarming
 * status so a lone indeterminate op stays visible at any zoom.
 */
export function mergeSegments(indices: number[], cols: TimelineCols, toPx: (t: number) => number, minPx = 2, gapPx = 1): Segment[] {
  const out: Segment[] = [];
  for (const i of indices) {
    let x0 = toPx(cols.call[i]);
    let x1 = toPx(cols.end[i]);
    if (x1 < x0) [x0, x1] = [x1, x0];
    const small = x1 - x0 < minPx;
    const last = out[out.length - 1];
    if (small && last !== undefined && x0 - last.x1 <= gapPx && (last.count > 1 || last.x1 - last.x0 < minPx)) {
      last.x1 = Math.max(last.x1, x1, last.x0 + minPx);
      last.count++;
      if (severity(cols.status[i]) > severity(last.status)) last.status = cols.status[i];
      continue;
    }
    out.push({ x0, x1: small ? x0 + minPx : x1, status: cols.status[i], count: 1, first: i });
  }
  return out;
}

/** The op drawn at time t in a lane, allowing `slack` ms either side; the closest one wins. */
export function opAt(lane: LaneIndex, cols: TimelineCols, t: number, slack: number): number | null {
  const candidates = visibleInLane(lane, cols, t - slack, t + slack);
  let best: number | null = null;
  let bestDist = Infinity;
  for (const i of candidates) {
    const d = t < cols.call[i] ? cols.call[i] - t : t > cols.end[i] ? t - cols.end[i] : 0;
    if (d < bestDist) {
      bestDist = d;
      best = i;
    }
  }
  return best;
}

/** Clamp a zoom window to the history and keep it at least `minSpan` wide. */
export function clampWindow(min: number, max: number, lo: number, hi: number, minSpan: number): [number, number] {
  const full = Math.max(hi - lo, minSpan);
  let span = Math.min(Math.max(max - min, minSpan), full);
  let a = min;
  if (!(span > 0)) span = full;
  if (a < lo) a = lo;
  if (a + span > lo + full) a = lo + full - span;
  return [a, a + span];
}

/** Zoom by `factor` (<1 zooms in) around time `at`. */
export function zoomAround(min: number, max: number, at: number, factor: number): [number, number] {
  return [at - (at - min) * factor, at + (max - at) * factor];
}
