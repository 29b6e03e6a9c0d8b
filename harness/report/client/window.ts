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
  /** the status drawn: the majority of the merged ops (ties go to the more alarming: info > fail > ok) */
  status: number;
  /** ops merged in, by status [ok, fail, info]: minorities are drawn as a thin strip so none vanish */
  counts: [number, number, number];
  /** how many ops this segment stands for */
  count: number;
  /** one op of the segment (the first), for hover */
  first: number;
}

const severity = (status: number): number => (status === 2 ? 2 : status === 1 ? 1 : 0);

function majority(counts: [number, number, number]): number {
  let best = 0;
  for (const s of [1, 2]) if (counts[s] >= counts[best]) best = s;
  return best;
}

/**
 * Level of detail: bars narrower than `minPx` that touch the previous segment
 * (within `gapPx`) merge into it, up to `maxPx` wide so colours keep their
 * place in time. A merged segment is drawn in its majority status and keeps
 * counts of the others, so a lone indeterminate op stays visible at any zoom.
 */
export function mergeSegments(indices: number[], cols: TimelineCols, toPx: (t: number) => number, minPx = 2, gapPx = 1, maxPx = 3): Segment[] {
  const out: Segment[] = [];
  // Whether the last segment stands for sub-pixel bars only (a wide bar never absorbs neighbours).
  let lastSmall = false;
  for (const i of indices) {
    let x0 = toPx(cols.call[i]);
    let x1 = toPx(cols.end[i]);
    if (x1 < x0) [x0, x1] = [x1, x0];
    const small = x1 - x0 < minPx;
    const last = out[out.length - 1];
    if (small && lastSmall && last !== undefined && x0 - last.x1 <= gapPx && Math.max(x1, x0 + 1) - last.x0 <= maxPx) {
      last.x1 = Math.max(last.x1, x1);
      last.count++;
      last.counts[severity(cols.status[i])]++;
      last.status = majority(last.counts);
      continue;
    }
    const counts: [number, number, number] = [0, 0, 0];
    counts[severity(cols.status[i])]++;
    out.push({ x0, x1: small ? x0 + minPx : x1, status: severity(cols.status[i]), count: 1, counts, first: i });
    lastSmall = small;
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
