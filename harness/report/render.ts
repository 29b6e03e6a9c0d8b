// The report page: static HTML for everything a person reads first (verdict,
// reproduce command, what went wrong on which key, the per-key table), plus
// containers that the inlined page script fills with charts. One file, no
// network: the data, the script and the chart library's CSS are all inline.
import type { FailureView } from './failureView.ts';
import type { ReportData } from './prepare.ts';
import { esc, renderDiagram } from './svg.ts';
import { PAGE_CSS } from './style.ts';
import type { ReportTimeUnit } from './time.ts';
import type { NodeColumn } from '../sim/journal.ts';

/** At most this many failing keys get the full drawing; the rest are listed in the table. */
export const MAX_DETAILED_FAILURES = 20;
/** The per-key table shows failing keys first and stops after this many rows. */
export const MAX_TABLE_ROWS = 500;

export interface PageAssets {
  script: string;
  css: string;
}

function verdictText(v: ReportData['summary']['verdict']): { text: string; cls: string } {
  if (v === true) return { text: 'linearizable', cls: 'good' };
  if (v === false) return { text: 'NOT linearizable', cls: 'bad' };
  return { text: 'unknown (checker time limit)', cls: 'unknown' };
}

function ms(v: number): string {
  if (v >= 10_000) return `${(v / 1000).toFixed(1)} s`;
  if (v >= 1000) return `${(v / 1000).toFixed(2)} s`;
  if (v >= 1 || v === 0) return `${Math.round(v * 10) / 10} ms`;
  return `${Math.round(v * 1000 * 10) / 10} µs`;
}

function summaryHtml(d: ReportData): string {
  const s = d.summary;
  const v = verdictText(s.verdict);
  // Say plainly whether this verdict is what the system's claim predicts: a
  // broken design that got through is as much a finding as a correct one caught.
  let expectation = '';
  if (s.expected === 'not-linearizable') {
    expectation =
      s.verdict === false
        ? `<span class="expect">this design is known to be broken: catching it is the expected outcome</span>`
        : `<span class="expect mismatch" id="mismatch">⚠ this design is known to be broken, but this run did not catch it${s.verdict === 'unknown' ? ' (the checker ran out of time)' : ''}</span>`;
  } else if (s.expected !== undefined) {
    expectation =
      s.verdict === true
        ? `<span class="expect">as the system claims (${esc(s.expected)})</span>`
        : `<span class="expect mismatch" id="mismatch">⚠ the system claims to be ${esc(s.expected)}${s.verdict === 'unknown' ? '; the checker could not decide' : ': this is a real violation'}</span>`;
  }
  const rows: [string, string][] = [];
  if (s.system !== undefined) rows.push(['system', esc(s.system)]);
  rows.push(['nemeses', s.nemeses.length > 0 ? esc(s.nemeses.join(', ')) : '<span class="muted">none recorded</span>']);
  if (s.seed !== undefined) rows.push(['seed', esc(s.seed)]);
  rows.push([
    'operations',
    `${s.ops} <span class="muted">(</span><span class="c-ok">${s.ok} ok</span>, <span class="c-fail">${s.fail} fail</span>, <span class="c-info">${s.info} info</span>${s.pending > 0 ? `, ${s.pending} never answered` : ''}<span class="muted">)</span>`,
  ]);
  rows.push(['keys', `${s.keys}${s.failingKeys > 0 ? ` <span class="c-bad">(${s.failingKeys} not linearizable)</span>` : ''}`]);
  rows.push(['duration', s.timeUnit === 'line' ? `${Math.round(s.durationMs)} lines <span class="muted">(this format records no clock)</span>` : ms(s.durationMs)]);
  rows.push(['checking time', ms(s.checkMs)]);
  const a = d.availability;
  if (a !== null && (a.windows.length > 0 || a.quiet !== null)) {
    const pct = (r: number | null) => (r === null ? '–' : `${Math.round(100 * r)}%`);
    const slowest = a.windows.reduce<number | null>((m, w) => (w.recoverS === null ? Infinity : m === null ? w.recoverS : Math.max(m, w.recoverS)), null);
    rows.push([
      'availability',
      `${pct(a.duringFaults)} served during faults, ${pct(a.quiet)} quiet; longest stretch with nothing served ${a.longestOutageS.toFixed(1)} s` +
        (slowest === null ? '' : slowest === Infinity ? '; after one fault nothing was served again' : `; served again at most ${slowest.toFixed(1)} s after a fault started`) +
        ' <span class="muted">(per fault window on the timeline)</span>',
    ]);
  }
  const more: [string, string][] = [];
  if (s.historyPath !== undefined) more.push(['history', `<code>${esc(s.historyPath)}</code>`]);
  for (const [k, val] of Object.entries(s.extra)) {
    // The moment of the first violation belongs up front; run options and timings are details.
    if (/violation|unknown/.test(k)) rows.push([esc(k), `<b>${esc(val)}</b>`]);
    else more.push([esc(k), esc(val)]);
  }
  const command = s.command
    ? `<div class="cmd"><span class="cmd-label">reproduce</span><code id="command">${esc(s.command)}</code><button type="button" class="copy" data-copy="command">copy</button></div>`
    : '';
  const warnings =
    s.warnings.length > 0 ? `<ul class="warnings">${s.warnings.map((w) => `<li>⚠ ${esc(w)}</li>`).join('')}</ul>` : '';
  return `<header class="summary">
  <div class="verdict ${v.cls}" id="verdict">${v.text}</div>${expectation}
  <table class="facts">${rows.map(([k, val]) => `<tr><th>${k}</th><td>${val}</td></tr>`).join('')}</table>
  ${command}${warnings}
  ${more.length > 0 ? `<details class="more"><summary>run details</summary><table class="facts">${more.map(([k, val]) => `<tr><th>${k}</th><td>${val}</td></tr>`).join('')}</table></details>` : ''}
</header>`;
}

/** What the nodes were told about a failing key (simulated runs): one column per node, in delivery order. */
function journalHtml(columns: NodeColumn[] | undefined, unit: ReportTimeUnit): string {
  if (columns === undefined || columns.length === 0) return '';
  const t = (ms: number) => (unit === 'line' ? String(ms) : `${(ms / 1000).toFixed(3)} s`);
  const cols = columns
    .map(
      (c) => `<div class="journal-node"><h5>${esc(c.node)}</h5><ol>${c.received
        .map((r) => `<li><span class="muted">${esc(t(r.t))}</span> <b>${esc(r.what)}</b> <span class="muted">from ${esc(r.from)}</span></li>`)
        .join('')}</ol></div>`,
    )
    .join('');
  return `<h4>What the nodes were told <span class="muted">(simulated run: every request about this key delivered to a node that holds state, around the counterexample, in the order each node received them)</span></h4>
  <div class="journal">${cols}</div>`;
}

function failureHtml(f: FailureView, i: number, unit: ReportTimeUnit, journal?: NodeColumn[]): string {
  const keyName = f.key === '' ? '(the single register)' : f.key;
  const hidden =
    f.shownFrom > 0
      ? `<p class="muted">Steps 1–${f.shownFrom} linearized without trouble and are not drawn; the last ${f.prefixLength - f.shownFrom} before the dead end are.</p>`
      : '';
  const prefixWords =
    f.prefixLength === 0
      ? `No operation of this key can even be placed first: from the initial state, <b class="c-bad">process ${f.stuck.process}: ${esc(f.stuck.label)}</b> is already impossible.`
      : `The longest order the search found places ${f.prefixLength} operation${f.prefixLength === 1 ? '' : 's'} of this key (numbered points). After them the register holds <b>${esc(f.stuck.state)}</b>, and <b class="c-bad">process ${f.stuck.process}: ${esc(f.stuck.label)}</b> cannot be placed next; no other order gets further.`;
  const inMinimal = f.minimal.ops.some((o) => o.role === 'stuck');
  const stuckNote =
    f.minimal.ops.length > 0 && !inMinimal
      ? '<p class="muted">The counterexample and the dead end above involve different operations: the counterexample is a smallest set of this key\'s operations that cannot all be true together, found by shrinking the history.</p>'
      : '';
  const minimal =
    f.minimal.ops.length > 0
      ? `<h4>Counterexample <span class="muted">(${
          f.minimal.ops.length === 1
            ? 'one operation that cannot be true on its own'
            : `${f.minimal.ops.length} operations of this key that cannot all be true; drop any one and the rest is linearizable`
        })</span></h4>
  <div class="minimal-view">${renderDiagram(f.minimal, { idPrefix: `${f.anchor}-min`, showSteps: false, unit })}</div>
  <div class="words"><p>In words: ${esc(f.explanation)}</p>
  <ul class="sentences">${f.minimal.sentences.map((s) => `<li>${esc(s)}</li>`).join('')}</ul>
  ${f.minimal.facts.length > 0 ? `<p>Real-time order any linearization must respect:</p><ul class="facts-list">${f.minimal.facts.map((s) => `<li>${esc(s)}</li>`).join('')}</ul>` : ''}</div>`
      : `<p class="muted">The checker gave no minimal counterexample for this key.</p>`;
  const minimalButton = f.minimalRange
    ? ` <button type="button" class="show-on-timeline" data-range="${f.minimalRange[0]},${f.minimalRange[1]}">show the counterexample on the timeline</button>`
    : '';
  return `<section class="failure" id="${f.anchor}" data-key="${esc(f.key)}">
  <h3><span class="badge bad">not linearizable</span> key <code class="failing-key">${esc(keyName)}</code></h3>
  <p class="explanation lead">${esc(f.explanation)}</p>
  <p class="actions"><a href="#${f.anchor}-lin-stuck" class="jump" data-jump="${f.anchor}-lin-stuck">⤓ jump to the first error</a>
  <button type="button" class="show-on-timeline" data-range="${f.timeRange[0]},${f.timeRange[1]}">show the first error on the timeline</button>${minimalButton}</p>
  <h4>Linearization <span class="muted">(longest linearizable prefix; hover an operation for the register state before and after it)</span></h4>
  <p>${prefixWords}</p>
  ${hidden}
  <div class="lin-view" data-failure="${i}">${renderDiagram(f.lin, { idPrefix: `${f.anchor}-lin`, showSteps: true, unit }, f.prefixLength)}</div>
  <div class="legend-small"><span class="sw sw-step"></span> linearized (numbered in order) <span class="sw sw-stuck"></span> cannot be placed <span class="sw sw-other"></span> not yet placed <span class="sw sw-inf"></span> no reply: may take effect any time later <span class="sw sw-nemesis"></span> fault in force</div>
  ${minimal}${stuckNote}
  ${journalHtml(journal, unit)}
</section>`;
}

function perKeyHtml(d: ReportData): string {
  if (d.perKey.length === 0) return '<p class="muted">The checker reported no keys (empty history).</p>';
  const anchorByKey = new Map(d.failures.map((f) => [f.key, f.anchor]));
  const rows = d.perKey.slice(0, MAX_TABLE_ROWS).map((k) => {
    const v = verdictText(k.valid);
    const name = k.key === '' ? '(single register)' : k.key;
    const anchor = anchorByKey.get(k.key);
    const keyCell = anchor !== undefined ? `<a href="#${anchor}"><code>${esc(name)}</code></a>` : `<code>${esc(name)}</code>`;
    return `<tr class="${v.cls}"><td>${keyCell}</td><td class="num">${k.ops}</td><td class="verdict-cell">${v.text}</td><td class="num">${ms(k.elapsedMs)}</td></tr>`;
  });
  const more = d.perKey.length > MAX_TABLE_ROWS ? `<p class="muted">${d.perKey.length - MAX_TABLE_ROWS} more keys, all checked; not listed.</p>` : '';
  return `<table class="per-key"><thead><tr><th>key</th><th>ops</th><th>verdict</th><th>checking time</th></tr></thead><tbody>${rows.join('')}</tbody></table>${more}`;
}

/** JSON inside <script> must not contain "</script": escape every "<". */
export function embedJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function renderPage(d: ReportData, assets: PageAssets, title = 'splitbrain report', journal: Record<string, NodeColumn[]> = {}): string {
  const detailed = d.failures.slice(0, MAX_DETAILED_FAILURES);
  const failures =
    d.failures.length === 0
      ? d.summary.verdict === 'unknown'
        ? '<p>The checker ran out of time before deciding; no counterexample is available.</p>'
        : ''
      : `<section id="failures"><h2>What went wrong</h2>${detailed.map((f, i) => failureHtml(f, i, d.summary.timeUnit, journal[f.anchor])).join('')}${
          d.failures.length > detailed.length ? `<p class="muted">${d.failures.length - detailed.length} more failing keys are listed in the table below.</p>` : ''
        }</section>`;
  const empty = d.summary.ops === 0 ? '<p class="notice">This history has no client operations: there is nothing to draw.</p>' : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${assets.css}</style>
<style>${PAGE_CSS}</style>
</head><body>
<main>
<h1>splitbrain <span class="muted">report</span></h1>
${summaryHtml(d)}
${empty}
${failures}
<section id="timeline-section"><h2>Timeline</h2>
<p class="hint">One lane per client thread: a process that has made its last operation (retired after an indeterminate one, or simply done) hands its lane to the next. Drag to zoom in, scroll the wheel to zoom, shift+drag or shift+wheel to pan, double-click to zoom out. <span class="c-bad">▼</span> marks the operation where linearization got stuck; a dashed red outline, the counterexample's operations.</p>
<div class="legend"><span class="sw sw-ok"></span>ok <span class="sw sw-fail"></span>fail (did not happen) <span class="sw sw-info"></span>info (may or may not have happened) <span class="sw sw-nemesis"></span>fault in force</div>
<div class="zoom-buttons"><button type="button" data-zoom="in">zoom in</button><button type="button" data-zoom="out">zoom out</button><button type="button" data-zoom="left">◀</button><button type="button" data-zoom="right">▶</button><button type="button" data-zoom="reset">whole run</button></div>
<div id="timeline" class="chart"></div>
</section>
${
  d.summary.timeUnit === 'line'
    ? '<section id="perf-section"><h2>Latency and throughput</h2><p class="muted">Not drawn: this history records no clock (its operations are placed by line number).</p></section>'
    : '<section id="perf-section"><h2>Latency and throughput</h2>\n<div id="latency" class="chart"></div>\n<div id="throughput" class="chart"></div>\n</section>'
}
<section id="keys-section"><h2>Keys</h2>${perKeyHtml(d)}</section>
<footer class="muted">Written by splitbrain. Charts drawn with uPlot; everything is inline, so this file opens from disk with no network.</footer>
</main>
<div id="tip" role="tooltip" hidden></div>
<script type="application/json" id="report-data">${embedJson(d)}</script>
<script>${assets.script}</script>
</body></html>
`;
}
