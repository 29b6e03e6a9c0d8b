// Server-side SVG of an ordinal diagram (a failing key's linearization view,
// or its minimal counterexample). Drawn in Node so the essential picture is
// in the file even before any script runs; the page script only adds the
// hover tooltip and the "jump" behaviour through data- attributes.
import type { OrdinalDiagram, ViewOp } from './failureView.ts';

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const ROW_H = 46;
const BAR_H = 20;
const LABEL_W = 54;
/** Left margin inside the scrolling body. */
const PAD_L = 14;
const TOP = 26;

export interface DiagramOptions {
  /** id prefix for elements (the stuck op gets `${idPrefix}-stuck`). */
  idPrefix: string;
  /** Show numbered linearization points and the order line. */
  showSteps: boolean;
  /** Pixels per slot; the diagram scrolls horizontally if wide. */
  slotPx?: number;
}

function tipFor(op: ViewOp, stepsTotal: number | null): string {
  const lines: string[] = [];
  if (op.role === 'step') {
    lines.push(`step ${op.step}${stepsTotal !== null ? ` of ${stepsTotal}` : ''} of the linearization`);
  } else if (op.role === 'stuck') {
    lines.push('✗ cannot be linearized here');
    if (op.before !== undefined) lines.push(`the register holds ${op.before} after the steps before it; no order makes this op fit`);
  } else if (op.role === 'member') {
    lines.push('part of the minimal counterexample');
  } else {
    lines.push('not yet linearized');
  }
  lines.push(`process ${op.process}: ${op.label}`);
  if (op.role === 'step') lines.push(`state before: ${op.before}  →  after: ${op.after}`);
  const end = op.endMs === null ? 'no reply (may or may not have happened)' : `${op.endMs} ms`;
  lines.push(`invoked ${op.callMs} ms, completed ${end}`);
  return lines.join('\n');
}

export function renderDiagram(d: OrdinalDiagram, opts: DiagramOptions, stepsTotal: number | null = null): string {
  if (d.ops.length === 0) return '<p class="muted">No operations to draw.</p>';
  const slot = opts.slotPx ?? Math.max(24, Math.min(80, 1000 / Math.max(1, d.width)));
  const x = (s: number): number => PAD_L + s * slot;
  const width = Math.ceil(x(d.width) + 30);
  const height = TOP + d.rows.length * ROW_H + 10;
  const rowY = (r: number): number => TOP + r * ROW_H + ROW_H - BAR_H - 6;
  const parts: string[] = [];
  // Row labels live in their own column outside the scrolling area, so a wide view never hides who did what.
  const labels: string[] = [`<svg class="diagram-labels" xmlns="http://www.w3.org/2000/svg" width="${LABEL_W}" height="${height}" viewBox="0 0 ${LABEL_W} ${height}">`];
  d.rows.forEach((p, r) => {
    const y = TOP + r * ROW_H;
    labels.push(`<rect x="0" y="${y}" width="${LABEL_W}" height="${ROW_H}" fill="${r % 2 === 0 ? '#f7f8fa' : '#ffffff'}"/>`);
    labels.push(`<text class="row-label" x="10" y="${y + ROW_H - BAR_H / 2 - 2}">p${p}</text>`);
  });
  labels.push('</svg>');
  parts.push(`<svg class="diagram" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img">`);
  parts.push(
    '<defs><linearGradient id="fade" x1="0" x2="1"><stop offset="0" stop-color="#fff" stop-opacity="0"/><stop offset="1" stop-color="#fff" stop-opacity="0.9"/></linearGradient></defs>',
  );
  d.rows.forEach((p, r) => {
    const y = TOP + r * ROW_H;
    parts.push(`<rect class="row-bg" x="0" y="${y}" width="${width}" height="${ROW_H}" fill="${r % 2 === 0 ? '#f7f8fa' : '#ffffff'}"/>`);
  });
  for (const f of d.faults) {
    const fx0 = x(f.x0);
    const fx1 = f.x1 >= d.width ? width : x(f.x1);
    parts.push(`<g class="fault" data-tip="${esc(`fault in force: ${f.name}`)}"><rect x="${fx0.toFixed(1)}" y="${TOP - 14}" width="${Math.max(2, fx1 - fx0).toFixed(1)}" height="${height - TOP + 10}" fill="rgba(214,40,40,0.10)" stroke="rgba(214,40,40,0.35)" stroke-dasharray="4 3"/>`);
    parts.push(`<text class="fault-label" x="${(fx0 + 4).toFixed(1)}" y="${TOP - 4}">${esc(f.name)}</text></g>`);
  }
  // Linearization order: a line through the points, behind the bars' markers.
  const steps = d.ops.filter((o) => o.role === 'step' && o.lp !== undefined).sort((a, b) => (a.step as number) - (b.step as number));
  if (opts.showSteps && steps.length > 1) {
    const pts = steps.map((o) => `${x(o.lp as number).toFixed(1)},${(rowY(o.row) + BAR_H / 2).toFixed(1)}`).join(' ');
    parts.push(`<polyline class="lin-order" points="${pts}" fill="none" stroke="#3b5bdb" stroke-width="1.5" stroke-dasharray="4 3" opacity="0.7"/>`);
  }
  const ordered = [...d.ops].sort((a, b) => (a.role === 'stuck' ? 1 : 0) - (b.role === 'stuck' ? 1 : 0));
  for (const op of ordered) {
    const x0 = x(op.x0);
    const x1 = op.infinite ? x(d.width) + 20 : x(op.x1);
    const y = rowY(op.row);
    const cls = `op role-${op.role} status-${op.status}${op.infinite ? ' infinite' : ''}`;
    const id = op.role === 'stuck' ? ` id="${opts.idPrefix}-stuck"` : op.step !== undefined ? ` id="${opts.idPrefix}-step-${op.step}"` : '';
    parts.push(`<g class="${cls}"${id} data-tip="${esc(tipFor(op, stepsTotal))}" data-process="${op.process}" data-invoke="${op.invokeIndex}">`);
    parts.push(`<rect class="bar" x="${x0.toFixed(1)}" y="${y}" width="${Math.max(4, x1 - x0).toFixed(1)}" height="${BAR_H}" rx="3"/>`);
    if (op.infinite) {
      parts.push(`<rect x="${(x1 - 40).toFixed(1)}" y="${y}" width="40" height="${BAR_H}" fill="url(#fade)" pointer-events="none"/>`);
    }
    const text = op.role === 'stuck' ? `✗ ${op.label}` : op.label;
    parts.push(`<text class="bar-label" x="${(x0 + 5).toFixed(1)}" y="${y + 14}">${esc(text)}</text>`);
    if (opts.showSteps && op.role === 'step' && op.lp !== undefined) {
      const lx = x(op.lp);
      parts.push(`<line class="lp" x1="${lx.toFixed(1)}" x2="${lx.toFixed(1)}" y1="${y - 4}" y2="${y + BAR_H + 4}"/>`);
      const digits = String(op.step).length;
      const bw = Math.max(16, 7 * digits + 6);
      parts.push(`<rect class="lp-dot" x="${(lx - bw / 2).toFixed(1)}" y="${y - 16}" width="${bw}" height="16" rx="8"/>`);
      parts.push(`<text class="lp-num" x="${lx.toFixed(1)}" y="${y - 4.5}">${op.step}</text>`);
      parts.push(`<text class="lp-state" x="${(lx + bw / 2 + 3).toFixed(1)}" y="${y - 4.5}">${esc(op.before === op.after ? `= ${op.after}` : `${op.before} → ${op.after}`)}</text>`);
    }
    parts.push('</g>');
  }
  parts.push('</svg>');
  return `<div class="diagram-wrap">${labels.join('')}<div class="scroll">${parts.join('')}</div></div>`;
}
