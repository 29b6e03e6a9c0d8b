// The report page's script, bundled with uPlot into report.html. It reads the
// embedded data and draws the timeline, latency and throughput charts (their
// x axes zoom together), and wires tooltips, "jump" links and copy buttons.
// Everything must cope with odd data: no ops, no lanes, zero duration.
import uPlot from 'uplot';
import type { ReportData } from '../prepare.ts';
import { buildLaneIndex, clampWindow, mergeSegments, opAt, visibleInLane, zoomAround, type LaneIndex } from './window.ts';

const COLORS = ['#6DB6FE', '#FEB5DA', '#FFAA26'];
const STATUS_NAMES = ['ok', 'fail', 'info'];
const BAD = '#d62828';
/** Same y-axis width on every chart, so their time axes line up one above the other. */
const Y_AXIS_PX = 84;
const FAULT_COLORS = ['rgba(214,40,40,0.13)', 'rgba(112,72,232,0.13)', 'rgba(230,119,0,0.14)', 'rgba(12,166,120,0.14)', 'rgba(73,80,87,0.14)'];

const data = JSON.parse((document.getElementById('report-data') as HTMLElement).textContent ?? '{}') as ReportData;
const tip = document.getElementById('tip') as HTMLDivElement;
const cols = data.ops;
const nOps = cols.call.length;
const timeEnd = data.timeEnd > 0 ? data.timeEnd : 1;
const useSeconds = timeEnd > 5000;
// Histories without a clock (Jepsen logs): the data's "ms" are line numbers.
const byLine = data.summary.timeUnit === 'line';

function fmtTime(ms: number): string {
  if (byLine) return `line ${Math.round(ms)}`;
  if (useSeconds) return `${(ms / 1000).toFixed(ms < 100_000 ? 2 : 1)} s`;
  return `${Math.round(ms * 1000) / 1000} ms`;
}

function showTip(text: string, x: number, y: number): void {
  tip.textContent = text;
  tip.hidden = false;
  const w = tip.offsetWidth;
  const h = tip.offsetHeight;
  const left = x + 14 + w > window.innerWidth ? Math.max(4, x - w - 14) : x + 14;
  const top = y + 16 + h > window.innerHeight ? Math.max(4, y - h - 10) : y + 16;
  tip.style.left = `${left}px`;
  tip.style.top = `${top}px`;
}

function hideTip(): void {
  tip.hidden = true;
}

// ---- tooltips on server-drawn diagrams -------------------------------------
document.addEventListener('mouseover', (ev) => {
  const el = (ev.target as Element | null)?.closest?.('[data-tip]');
  if (el) showTip(el.getAttribute('data-tip') ?? '', (ev as MouseEvent).clientX, (ev as MouseEvent).clientY);
});
document.addEventListener('mousemove', (ev) => {
  const el = (ev.target as Element | null)?.closest?.('[data-tip]');
  if (el) showTip(el.getAttribute('data-tip') ?? '', ev.clientX, ev.clientY);
});
document.addEventListener('mouseout', (ev) => {
  const el = (ev.target as Element | null)?.closest?.('[data-tip]');
  const to = (ev as MouseEvent).relatedTarget as Element | null;
  if (el && (!to || !el.contains(to))) hideTip();
});

// ---- jump links and copy button ---------------------------------------------
for (const a of document.querySelectorAll<HTMLAnchorElement>('a[data-jump]')) {
  a.addEventListener('click', (ev) => {
    const target = document.getElementById(a.dataset.jump ?? '');
    if (!target) return;
    ev.preventDefault();
    target.scrollIntoView({ behavior: 'smooth', block: 'center', inline: 'center' });
    target.classList.remove('flash');
    void (target as unknown as HTMLElement).getBoundingClientRect();
    target.classList.add('flash');
  });
}
for (const b of document.querySelectorAll<HTMLButtonElement>('button[data-copy]')) {
  b.addEventListener('click', () => {
    const text = document.getElementById(b.dataset.copy ?? '')?.textContent ?? '';
    void navigator.clipboard?.writeText(text).then(() => {
      b.textContent = 'copied';
      setTimeout(() => (b.textContent = 'copy'), 1500);
    });
  });
}

// ---- each linearization view opens scrolled to its dead end -------------------------
for (const box of document.querySelectorAll<HTMLElement>('.lin-view .scroll')) {
  const stuck = box.querySelector<SVGGraphicsElement>('[id$="-lin-stuck"]');
  if (!stuck) continue;
  const r = stuck.getBoundingClientRect();
  const b = box.getBoundingClientRect();
  const x = r.right - b.left + box.scrollLeft;
  if (x > box.clientWidth - 20) box.scrollLeft = x - box.clientWidth * 0.75;
}

// ---- shared chart pieces -------------------------------------------------------
const faultColor = new Map<string, string>();
for (const n of data.nemesis) if (!faultColor.has(n.name)) faultColor.set(n.name, FAULT_COLORS[faultColor.size % FAULT_COLORS.length]);

function drawNemesis(u: uPlot): void {
  const ctx = u.ctx;
  const { left, top, width, height } = u.bbox;
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  for (const n of data.nemesis) {
    const x0 = u.valToPos(n.start, 'x', true);
    const x1 = u.valToPos(n.end, 'x', true);
    ctx.fillStyle = faultColor.get(n.name) ?? FAULT_COLORS[0];
    ctx.fillRect(x0, top, Math.max(1, x1 - x0), height);
  }
  ctx.strokeStyle = 'rgba(120,20,20,0.6)';
  ctx.setLineDash([4, 4]);
  for (const m of data.marks) {
    const x = u.valToPos(m.time, 'x', true);
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + height);
    ctx.stroke();
  }
  ctx.restore();
}

/** Fault names in the band above the lanes (the chart's top padding), so bars never hide them. */
function drawFaultLabels(u: uPlot): void {
  const ctx = u.ctx;
  const { left, top, width } = u.bbox;
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, 0, width, top);
  ctx.clip();
  ctx.font = `600 ${11 * devicePixelRatio}px system-ui, sans-serif`;
  ctx.textBaseline = 'bottom';
  ctx.textAlign = 'left'; // uPlot leaves the axes' alignment on the context
  for (const n of data.nemesis) {
    const x0 = u.valToPos(n.start, 'x', true);
    const x1 = u.valToPos(n.end, 'x', true);
    if (x1 < left || x0 > left + width) continue;
    ctx.fillStyle = (faultColor.get(n.name) ?? FAULT_COLORS[0]).replace(/[\d.]+\)$/, '0.5)');
    ctx.fillRect(x0, top - 4 * devicePixelRatio, Math.max(1, x1 - x0), 4 * devicePixelRatio);
    ctx.fillStyle = '#7a1d1d';
    const label = `${n.name}${n.open ? ' (never healed)' : ''}`;
    if (x1 - x0 > ctx.measureText(label).width + 6 * devicePixelRatio || data.nemesis.length < 8) {
      ctx.fillText(label, Math.max(left, x0) + 3 * devicePixelRatio, top - 5 * devicePixelRatio);
    }
  }
  ctx.restore();
}

/**
 * Availability per fault window, in the band above the fault names: the share
 * of operations invoked in the window that were served before it ended, and
 * how long after the fault started (and after the heal) the first one was;
 * a green tick on the lanes marks each of those moments.
 */
function drawAvailability(u: uPlot): void {
  const a = data.availability;
  if (a === null) return;
  const ctx = u.ctx;
  const { left, top, width, height } = u.bbox;
  const px = devicePixelRatio;
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, 0, width, top + height);
  ctx.clip();
  ctx.font = `${10.5 * px}px system-ui, sans-serif`;
  ctx.textBaseline = 'bottom';
  ctx.textAlign = 'left';
  const tick = (tMs: number) => {
    const x = u.valToPos(tMs, 'x', true);
    ctx.strokeStyle = 'rgba(25,135,84,0.85)';
    ctx.setLineDash([2 * px, 3 * px]);
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + height);
    ctx.stroke();
    ctx.setLineDash([]);
  };
  for (const w of a.windows) {
    const x0 = u.valToPos(w.startS * 1000, 'x', true);
    const x1 = u.valToPos(w.endS * 1000, 'x', true);
    if (x1 < left || x0 > left + width) continue;
    if (w.recoverS !== null) tick((w.startS + w.recoverS) * 1000);
    if (w.afterHealS !== null) tick((w.endS + w.afterHealS) * 1000);
    const served = w.ratio === null ? 'nothing invoked' : `${Math.round(100 * w.ratio)}% served`;
    const back = w.recoverS === null ? 'nothing served after it began' : `first served +${w.recoverS.toFixed(1)} s`;
    const label = `${served} · ${back}`;
    if (x1 - x0 > ctx.measureText(label).width + 6 * px || a.windows.length < 6) {
      ctx.fillStyle = w.ratio !== null && w.ratio < 0.5 ? '#9b2c2c' : '#146c43';
      ctx.fillText(label, Math.max(left, x0) + 3 * px, top - 18 * px);
    }
  }
  ctx.restore();
}

const charts: uPlot[] = [];
let syncing = false;
function syncX(u: uPlot): void {
  if (syncing) return;
  syncing = true;
  const { min, max } = u.scales.x;
  for (const other of charts) if (other !== u && min !== undefined && max !== undefined) other.setScale('x', { min, max });
  syncing = false;
}

function chartWidth(el: HTMLElement): number {
  return Math.max(320, el.clientWidth || 900);
}

const xAxis: uPlot.Axis = {
  values: (_u, splits) => splits.map((v) => fmtTime(v)),
  grid: { stroke: '#eef0f3' },
};

function setX(min: number, max: number): void {
  const [a, b] = clampWindow(min, max, 0, timeEnd, timeEnd / 1e6 || 1e-3);
  charts[0]?.setScale('x', { min: a, max: b });
}

// ---- the timeline ----------------------------------------------------------------
const laneCount = data.lanes.length;
const laneIndex: LaneIndex[] = buildLaneIndex(cols, laneCount);
const multiKey = cols.keyNames.length > 1;
const badInvokes = new Set(data.failures.map((f) => f.stuck.invokeIndex));
const badOps: number[] = [];
for (let i = 0; i < nOps; i++) if (badInvokes.has(cols.inv[i])) badOps.push(i);
const minimalInvokes = new Set(data.failures.flatMap((f) => f.minimal.ops.map((o) => o.invokeIndex)));
const minimalOps: number[] = [];
for (let i = 0; i < nOps; i++) if (minimalInvokes.has(cols.inv[i]) && !badInvokes.has(cols.inv[i])) minimalOps.push(i);

function laneLabel(l: number): string {
  const ps = data.lanes[l]?.processes ?? [];
  if (ps.length <= 3) return ps.map((p) => `p${p}`).join(',');
  return `p${ps[0]}…p${ps[ps.length - 1]}`;
}

function makeTimeline(el: HTMLElement): uPlot | null {
  if (laneCount === 0) {
    el.innerHTML = '<p class="muted">No client operations to draw.</p>';
    return null;
  }
  const laneH = laneCount <= 12 ? 26 : laneCount <= 40 ? 16 : Math.max(3, Math.floor(640 / laneCount));
  const height = Math.min(700, laneCount * laneH) + 60;
  const labelEvery = Math.max(1, Math.ceil(14 / laneH));
  const opts: uPlot.Options = {
    width: chartWidth(el),
    height,
    legend: { show: false },
    padding: [data.availability !== null && data.availability.windows.length > 0 ? 36 : 22, 12, 0, 0],
    cursor: { y: false, points: { show: false }, drag: { x: true, y: false, setScale: true } },
    scales: { x: { time: false, range: (_u, min, max) => (max > min ? [min, max] : [0, timeEnd]) }, y: { range: [0, laneCount] } },
    axes: [
      xAxis,
      {
        size: Y_AXIS_PX,
        grid: { show: false },
        splits: () => Array.from({ length: laneCount }, (_, l) => laneCount - l - 0.5).filter((_, l) => l % labelEvery === 0),
        values: (_u, splits) => splits.map((v) => laneLabel(Math.round(laneCount - v - 0.5))),
      },
    ],
    series: [{}, { label: 'ops', stroke: 'transparent', points: { show: false } }],
    hooks: {
      drawClear: [(u) => drawNemesis(u)],
      draw: [(u) => drawBars(u), (u) => drawFaultLabels(u), (u) => drawAvailability(u)],
      setScale: [(u, key) => key === 'x' && syncX(u)],
      setCursor: [(u) => timelineHover(u)],
    },
  };
  const u = new uPlot(opts, [[0, timeEnd], [null, null]] as unknown as uPlot.AlignedData, el);
  installZoomPan(u);
  return u;
}

function drawBars(u: uPlot): void {
  const ctx = u.ctx;
  const { left, top, width, height } = u.bbox;
  const min = u.scales.x.min ?? 0;
  const max = u.scales.x.max ?? timeEnd;
  const laneH = height / laneCount;
  const barH = Math.max(1, Math.min(laneH * 0.72, 18 * devicePixelRatio));
  const toPx = (t: number): number => u.valToPos(t, 'x', true);
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  for (let l = 0; l < laneCount; l++) {
    const y = top + l * laneH + (laneH - barH) / 2;
    const segs = mergeSegments(visibleInLane(laneIndex[l], cols, min, max), cols, toPx, 2 * devicePixelRatio, devicePixelRatio);
    for (const s of segs) {
      ctx.fillStyle = COLORS[s.status] ?? COLORS[2];
      const x0 = Math.max(left - 2, s.x0);
      const x1 = Math.min(left + width + 2, s.x1);
      ctx.fillRect(x0, y, Math.max(1, x1 - x0), barH);
      // minorities merged into a dense segment: a strip each, so an odd op never vanishes
      if (s.count > 1 && s.counts[2] > 0 && s.status !== 2) {
        ctx.fillStyle = COLORS[2];
        ctx.fillRect(x0, y, Math.max(1, x1 - x0), Math.max(1, barH / 3));
      }
      if (s.count > 1 && s.counts[1] > 0 && s.status !== 1) {
        ctx.fillStyle = COLORS[1];
        ctx.fillRect(x0, y + barH - Math.max(1, barH / 3), Math.max(1, x1 - x0), Math.max(1, barH / 3));
      }
      if (s.count === 1 && x1 - x0 > 40 * devicePixelRatio && barH >= 12 * devicePixelRatio) {
        // zoomed in far enough: name the operation inside its bar
        const text = multiKey ? `${cols.keyNames[cols.key[s.first]]}: ${cols.label[s.first]}` : cols.label[s.first];
        ctx.save();
        ctx.beginPath();
        ctx.rect(x0, y, x1 - x0, barH);
        ctx.clip();
        ctx.fillStyle = '#1d2330';
        ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
        ctx.textBaseline = 'middle';
        ctx.textAlign = 'left';
        ctx.fillText(text, x0 + 4 * devicePixelRatio, y + barH / 2);
        ctx.restore();
      }
      if (s.count === 1 && cols.open[s.first] === 1) {
        // never answered: fade towards the end
        ctx.fillStyle = 'rgba(255,255,255,0.55)';
        ctx.fillRect(x0 + (x1 - x0) * 0.5, y, (x1 - x0) * 0.5, barH);
      }
    }
  }
  // Operations of a counterexample: dashed red outline.
  ctx.strokeStyle = BAD;
  ctx.lineWidth = 1.5 * devicePixelRatio;
  ctx.setLineDash([3 * devicePixelRatio, 2 * devicePixelRatio]);
  for (const i of minimalOps) {
    const x0 = toPx(cols.call[i]);
    const x1 = Math.max(toPx(cols.end[i]), x0 + 3 * devicePixelRatio);
    const y = top + cols.lane[i] * laneH + (laneH - barH) / 2;
    ctx.strokeRect(x0, y, x1 - x0, barH);
  }
  ctx.setLineDash([]);
  // The operations that broke linearizability: red outline and a marker above, never merged away.
  ctx.strokeStyle = BAD;
  ctx.fillStyle = BAD;
  ctx.lineWidth = 2 * devicePixelRatio;
  for (const i of badOps) {
    const x0 = toPx(cols.call[i]);
    const x1 = Math.max(toPx(cols.end[i]), x0 + 3 * devicePixelRatio);
    const y = top + cols.lane[i] * laneH + (laneH - barH) / 2;
    ctx.strokeRect(x0, y, x1 - x0, barH);
    const cx = (x0 + x1) / 2;
    const s = 6 * devicePixelRatio;
    ctx.beginPath();
    ctx.moveTo(cx - s, y - s - 2);
    ctx.lineTo(cx + s, y - s - 2);
    ctx.lineTo(cx, y - 2);
    ctx.closePath();
    ctx.fill();
  }
  ctx.restore();
}

function opTip(i: number): string {
  const st = STATUS_NAMES[cols.status[i]] ?? '?';
  const key = cols.keyNames[cols.key[i]];
  const lines = [
    `process ${cols.process[i]}${key ? ` · key ${key}` : ''} · ${st}${badInvokes.has(cols.inv[i]) ? ' · ✗ breaks linearizability' : minimalInvokes.has(cols.inv[i]) ? ' · part of the counterexample' : ''}`,
    cols.label[i],
    cols.open[i] ? `invoked ${fmtTime(cols.call[i])}, never answered` : `${fmtTime(cols.call[i])} → ${fmtTime(cols.end[i])} (${byLine ? `${Math.round(cols.end[i] - cols.call[i])} lines` : fmtTime(cols.end[i] - cols.call[i])})`,
  ];
  return lines.join('\n');
}

function timelineHover(u: uPlot): void {
  const { left, top } = u.cursor;
  if (left === undefined || top === undefined || left < 0 || top < 0) {
    hideTip();
    return;
  }
  const laneHcss = u.bbox.height / devicePixelRatio / laneCount;
  const lane = Math.floor(top / laneHcss);
  if (lane < 0 || lane >= laneCount) return hideTip();
  const t = u.posToVal(left, 'x');
  const pxMs = (u.scales.x.max! - u.scales.x.min!) / (u.bbox.width / devicePixelRatio);
  const i = opAt(laneIndex[lane], cols, t, 3 * pxMs);
  if (i === null) return hideTip();
  const rect = u.over.getBoundingClientRect();
  showTip(opTip(i), rect.left + left, rect.top + top);
}

/** Wheel zooms around the cursor; shift+wheel (or a sideways wheel) and shift+drag pan. */
function installZoomPan(u: uPlot): void {
  const over = u.over;
  over.addEventListener(
    'wheel',
    (ev) => {
      ev.preventDefault();
      const min = u.scales.x.min ?? 0;
      const max = u.scales.x.max ?? timeEnd;
      const span = max - min;
      if (ev.shiftKey || Math.abs(ev.deltaX) > Math.abs(ev.deltaY)) {
        const d = ((ev.shiftKey ? ev.deltaY : ev.deltaX) / over.clientWidth) * span;
        setX(min + d, max + d);
        return;
      }
      const at = u.posToVal(ev.offsetX, 'x');
      const [a, b] = zoomAround(min, max, at, ev.deltaY < 0 ? 0.8 : 1.25);
      setX(a, b);
    },
    { passive: false },
  );
  over.addEventListener(
    'mousedown',
    (ev) => {
      if (!ev.shiftKey) return;
      ev.stopPropagation();
      ev.preventDefault();
      const startX = ev.clientX;
      const min0 = u.scales.x.min ?? 0;
      const max0 = u.scales.x.max ?? timeEnd;
      const perPx = (max0 - min0) / over.clientWidth;
      const move = (e: MouseEvent): void => {
        const d = (startX - e.clientX) * perPx;
        setX(min0 + d, max0 + d);
      };
      const up = (): void => {
        window.removeEventListener('mousemove', move);
        window.removeEventListener('mouseup', up);
      };
      window.addEventListener('mousemove', move);
      window.addEventListener('mouseup', up);
    },
    true,
  );
  over.addEventListener('mouseleave', hideTip);
}

// ---- latency scatter -------------------------------------------------------------------
function makeLatency(el: HTMLElement): uPlot | null {
  const order: number[] = [];
  for (let i = 0; i < nOps; i++) if (!cols.open[i]) order.push(i);
  if (order.length === 0) {
    el.innerHTML = '<p class="muted">Latency: no completed operations.</p>';
    return null;
  }
  order.sort((a, b) => cols.call[a] - cols.call[b]);
  const combos = new Map<string, number>();
  for (const i of order) {
    const k = `${cols.fNames[cols.f[i]]} ${STATUS_NAMES[cols.status[i]]}`;
    if (!combos.has(k)) combos.set(k, combos.size);
  }
  const names = [...combos.keys()].sort();
  const seriesOf = new Map(names.map((n, s) => [n, s]));
  const xs = order.map((i) => cols.call[i]);
  const ys: (number | null)[][] = names.map(() => new Array<number | null>(order.length).fill(null));
  order.forEach((i, j) => {
    const k = `${cols.fNames[cols.f[i]]} ${STATUS_NAMES[cols.status[i]]}`;
    ys[seriesOf.get(k) as number][j] = Math.max(0.001, cols.end[i] - cols.call[i]);
  });
  // Colour says the operation type; fill says the outcome: ok solid, fail hollow pink ring, info orange.
  const fColor: Record<string, string> = { read: '#1c7ed6', write: '#2b8a3e', cas: '#7048e8', append: '#495057' };
  const series: uPlot.Series[] = [
    {},
    ...names.map((n) => {
      const [f, st] = n.split(' ');
      const c = fColor[f] ?? '#495057';
      const look: Marker = st === 'ok' ? { size: 4, fill: c, stroke: null } : st === 'fail' ? { size: 7, fill: '#fff', stroke: '#c2255c' } : { size: 7, fill: COLORS[2], stroke: c };
      return { label: n, stroke: look.stroke ?? c, fill: look.fill, width: 0, paths: scatterPaths(look), points: { show: false } } as uPlot.Series;
    }),
  ];
  const title = document.createElement('div');
  title.className = 'chart-title';
  title.textContent = 'Latency by invoke time (log scale); indeterminate ops at the time the client gave up';
  el.before(title);
  const u = new uPlot(
    {
      width: chartWidth(el),
      height: 260,
      cursor: { y: false, drag: { x: true, y: false, setScale: true }, points: { show: false } },
      legend: { live: false },
      scales: { x: { time: false, range: (_u, min, max) => (max > min ? [min, max] : [0, timeEnd]) }, y: { distr: 3 } },
      axes: [xAxis, { size: Y_AXIS_PX, values: (_u, s) => s.map((v) => (v == null ? '' : fmtLatency(v))), grid: { stroke: '#eef0f3' } }],
      series,
      hooks: { drawClear: [(uu) => drawNemesis(uu)], setScale: [(uu, key) => key === 'x' && syncX(uu)] },
    },
    [xs, ...ys] as uPlot.AlignedData,
    el,
  );
  return u;
}

interface Marker {
  size: number;
  fill: string;
  stroke: string | null;
}

/**
 * Scatter drawing with level of detail: one square per point, but at most one
 * per 2×2-pixel cell and series, so 100,000 points cost what the pixels do.
 * (uPlot's own point markers build an arc per point, too slow at this size.)
 */
function scatterPaths(look: Marker): uPlot.Series.PathBuilder {
  return (u, sidx, i0, i1) => {
    const xs = u.data[0];
    const ys = u.data[sidx] as (number | null)[];
    const { left, top, width, height } = u.bbox;
    const cell = 2 * devicePixelRatio;
    const cols = Math.ceil(width / cell) + 1;
    const seen = new Uint8Array(cols * (Math.ceil(height / cell) + 1));
    const size = look.size * devicePixelRatio;
    const half = size / 2;
    const ctx = u.ctx;
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, width, height);
    ctx.clip();
    ctx.fillStyle = look.fill;
    if (look.stroke) {
      ctx.strokeStyle = look.stroke;
      ctx.lineWidth = 1.5 * devicePixelRatio;
    }
    for (let i = i0; i <= i1; i++) {
      const y = ys[i];
      if (y == null) continue;
      const px = u.valToPos(xs[i], 'x', true);
      const py = u.valToPos(y, 'y', true);
      const cx = Math.floor((px - left) / cell);
      const cy = Math.floor((py - top) / cell);
      if (cx < 0 || cy < 0 || cx >= cols) continue;
      const k = cy * cols + cx;
      if (seen[k]) continue;
      seen[k] = 1;
      ctx.fillRect(px - half, py - half, size, size);
      if (look.stroke) ctx.strokeRect(px - half, py - half, size, size);
    }
    ctx.restore();
    return null;
  };
}

function fmtLatency(ms: number): string {
  if (ms >= 1000) return `${ms / 1000} s`;
  if (ms >= 1) return `${ms} ms`;
  return `${Math.round(ms * 1000)} µs`;
}

// ---- throughput -------------------------------------------------------------------------
function makeThroughput(el: HTMLElement): uPlot | null {
  const tp = data.throughput;
  if (tp.t.length === 0) {
    el.innerHTML = '<p class="muted">Throughput: no completed operations.</p>';
    return null;
  }
  const title = document.createElement('div');
  title.className = 'chart-title';
  title.textContent = `Throughput: completions per second, ops/s (bins of ${fmtLatency(tp.binMs)})`;
  el.before(title);
  // Each bin's rate holds from its start to the next bin's: a step after each point, closed at the end.
  const xs = [...tp.t, tp.t[tp.t.length - 1] + tp.binMs];
  const last = (a: number[]): number[] => [...a, a[a.length - 1]];
  const stepped = uPlot.paths.stepped!({ align: 1 });
  const mk = (label: string, color: string, stroke: string): uPlot.Series => ({ label, stroke, fill: color + '66', width: 1.5, paths: stepped, points: { show: false } });
  return new uPlot(
    {
      width: chartWidth(el),
      height: 200,
      cursor: { y: false, drag: { x: true, y: false, setScale: true }, points: { show: false } },
      legend: { live: false },
      scales: { x: { time: false, range: (_u, min, max) => (max > min ? [min, max] : [0, timeEnd]) }, y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.1] } },
      axes: [xAxis, { size: Y_AXIS_PX, grid: { stroke: '#eef0f3' } }],
      series: [{}, mk('ok', COLORS[0], '#1c7ed6'), mk('fail', COLORS[1], '#c2255c'), mk('info', COLORS[2], '#e67700')],
      hooks: { drawClear: [(uu) => drawNemesis(uu)], setScale: [(uu, key) => key === 'x' && syncX(uu)] },
    },
    [xs, last(tp.ok), last(tp.fail), last(tp.info)] as uPlot.AlignedData,
    el,
  );
}

// ---- build everything; a chart that fails must not take the rest down ------------
function safely<T>(name: string, el: HTMLElement | null, f: (el: HTMLElement) => T): T | null {
  if (!el) return null;
  try {
    return f(el);
  } catch (err) {
    el.innerHTML = `<p class="c-bad">Could not draw the ${name}: ${String(err)}</p>`;
    return null;
  }
}

const timeline = safely('timeline', document.getElementById('timeline'), makeTimeline);
const latency = safely('latency chart', document.getElementById('latency'), makeLatency);
const tput = safely('throughput chart', document.getElementById('throughput'), makeThroughput);
for (const c of [timeline, latency, tput]) if (c) charts.push(c);
// All charts start on the whole run (a chart's own data may cover less of it).
for (const c of charts) c.setScale('x', { min: 0, max: timeEnd });
(window as unknown as { splitbrainCharts: uPlot[] }).splitbrainCharts = charts;

for (const b of document.querySelectorAll<HTMLButtonElement>('button[data-zoom]')) {
  b.addEventListener('click', () => {
    const u = charts[0];
    if (!u) return;
    const min = u.scales.x.min ?? 0;
    const max = u.scales.x.max ?? timeEnd;
    const span = max - min;
    const mid = (min + max) / 2;
    switch (b.dataset.zoom) {
      case 'in':
        return setX(...zoomAround(min, max, mid, 0.5));
      case 'out':
        return setX(...zoomAround(min, max, mid, 2));
      case 'left':
        return setX(min - span / 3, max - span / 3);
      case 'right':
        return setX(min + span / 3, max + span / 3);
      default:
        return setX(0, timeEnd);
    }
  });
}

for (const b of document.querySelectorAll<HTMLButtonElement>('button.show-on-timeline')) {
  b.addEventListener('click', () => {
    const [a, z] = (b.dataset.range ?? '0,0').split(',').map(Number);
    const pad = Math.max((z - a) * 0.15, timeEnd / 1e4);
    setX(a - pad, z + pad);
    document.getElementById('timeline-section')?.scrollIntoView({ behavior: 'smooth' });
  });
}

let resizeTimer: ReturnType<typeof setTimeout> | undefined;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    for (const c of charts) c.setSize({ width: chartWidth(c.root.parentElement as HTMLElement), height: c.height });
  }, 150);
});
