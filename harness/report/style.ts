// The page's stylesheet. Colours follow Jepsen's timeline (ok blue, fail pink,
// info orange) so people who know Jepsen read it at once; red is kept for the
// one thing that matters, the operation that breaks linearizability.
export const COLORS = {
  ok: '#6DB6FE',
  fail: '#FEB5DA',
  info: '#FFAA26',
  bad: '#d62828',
  step: '#3b5bdb',
  other: '#c8ccd2',
};

export const PAGE_CSS = `
:root { --ok: ${COLORS.ok}; --fail: ${COLORS.fail}; --info: ${COLORS.info}; --bad: ${COLORS.bad}; --step: ${COLORS.step}; --other: ${COLORS.other}; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1d2330; background: #eef0f3; }
main { max-width: 1280px; margin: 0 auto; padding: 16px 24px 40px; }
h1 { font-size: 20px; margin: 4px 0 12px; }
h2 { font-size: 17px; margin: 0 0 8px; }
h3 { font-size: 16px; margin: 0 0 6px; }
h4 { font-size: 14px; margin: 16px 0 6px; }
section, header.summary { background: #fff; border-radius: 8px; padding: 14px 18px; margin: 0 0 16px; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
code { font: 13px/1.3 ui-monospace, "DejaVu Sans Mono", Menlo, monospace; background: #f1f3f5; padding: 1px 4px; border-radius: 3px; }
.muted { color: #6b7380; font-weight: normal; }
.verdict { display: inline-block; font-size: 22px; font-weight: 700; padding: 4px 14px; border-radius: 6px; margin-right: 12px; }
.verdict.bad { background: var(--bad); color: #fff; }
.verdict.good { background: #2b8a3e; color: #fff; }
.verdict.unknown { background: #868e96; color: #fff; }
.expect { color: #495057; }
.expect.mismatch { color: #8a3c00; background: #fff3bf; padding: 3px 8px; border-radius: 5px; font-weight: 600; }
table.facts { border-collapse: collapse; margin: 10px 0; }
table.facts th { text-align: left; font-weight: 600; color: #495057; padding: 2px 18px 2px 0; vertical-align: top; }
table.facts td { padding: 2px 0; }
.cmd { display: flex; align-items: center; gap: 8px; background: #1d2330; color: #e9ecef; border-radius: 6px; padding: 8px 10px; }
.cmd code { background: none; color: #e9ecef; flex: 1; white-space: pre-wrap; word-break: break-all; }
.cmd-label { font-size: 12px; text-transform: uppercase; letter-spacing: .05em; color: #adb5bd; }
button { font: inherit; font-size: 13px; border: 1px solid #ced4da; background: #fff; border-radius: 5px; padding: 3px 10px; cursor: pointer; }
button:hover { background: #f1f3f5; }
.cmd button { background: #343a40; color: #e9ecef; border-color: #495057; }
.warnings { color: #8a5a00; margin: 8px 0 0; padding-left: 18px; }
.notice { background: #fff3bf; padding: 8px 12px; border-radius: 6px; }
.c-ok { color: #1864ab; } .c-fail { color: #a61e4d; } .c-info { color: #b35c00; } .c-bad { color: var(--bad); font-weight: 600; }
.failure { border-left: 5px solid var(--bad); }
.failure + .failure { margin-top: 16px; }
#failures > .failure { box-shadow: none; padding: 10px 0 10px 16px; border-radius: 0; }
.badge { font-size: 12px; padding: 2px 8px; border-radius: 10px; vertical-align: middle; }
.badge.bad { background: var(--bad); color: #fff; }
.lead { font-size: 15px; font-weight: 600; }
.actions { display: flex; gap: 14px; align-items: center; }
a.jump { color: var(--bad); font-weight: 600; }
.diagram-wrap { display: flex; border: 1px solid #e9ecef; border-radius: 6px; overflow: hidden; }
.diagram-wrap .scroll { overflow-x: auto; flex: 1; }
.diagram-labels { flex: none; border-right: 1px solid #e9ecef; font: 12px system-ui, "DejaVu Sans", sans-serif; }
.diagram-labels .row-label { fill: #495057; font-weight: 600; }
svg.diagram { display: block; font: 12px system-ui, "DejaVu Sans", sans-serif; }
svg .fault-label { fill: #a61e1e; font-size: 11px; font-weight: 600; }
svg .row-label { fill: #495057; font-weight: 600; }
svg .op { cursor: default; }
svg .op .bar { stroke-width: 1; }
svg .status-ok .bar { fill: var(--ok); stroke: #3d8fd9; }
svg .status-info .bar { fill: var(--info); stroke: #cc7d00; }
svg .status-fail .bar { fill: var(--fail); stroke: #d6589a; }
svg .role-other .bar { fill: #e9ecef; stroke: #adb5bd; stroke-dasharray: 3 2; }
svg .role-other.status-info .bar { fill: #ffe8c2; stroke: #cc7d00; }
svg .role-stuck .bar { stroke: var(--bad); stroke-width: 3; }
svg .role-stuck .bar-label { fill: var(--bad); font-weight: 700; }
svg .bar-label { fill: #1d2330; pointer-events: none; }
svg .lp { stroke: var(--step); stroke-width: 2.5; }
svg .lp-dot { fill: var(--step); }
svg .lp-state { fill: var(--step); font-size: 11px; font-weight: 600; pointer-events: none; }
svg .lp-num { fill: #fff; font-size: 10px; font-weight: 700; text-anchor: middle; pointer-events: none; }
svg .op:hover .bar, svg .op.hl .bar { stroke: #000; stroke-width: 2; }
svg .op.flash .bar { animation: flash 1.2s ease-in-out 2; }
@keyframes flash { 50% { stroke-width: 7; stroke: var(--bad); } }
.legend, .legend-small { display: flex; flex-wrap: wrap; gap: 6px 14px; align-items: center; color: #495057; margin: 6px 0; }
.legend-small { font-size: 12px; }
.sw { display: inline-block; width: 16px; height: 10px; border-radius: 2px; margin-right: -8px; vertical-align: middle; }
.sw-ok { background: var(--ok); } .sw-fail { background: var(--fail); } .sw-info { background: var(--info); }
.sw-nemesis { background: rgba(214,40,40,.16); border: 1px solid rgba(214,40,40,.4); }
.sw-step { background: var(--ok); border-top: 3px solid var(--step); }
.sw-stuck { background: var(--ok); border: 2px solid var(--bad); }
.sw-other { background: #e9ecef; border: 1px dashed #adb5bd; }
.sw-inf { background: linear-gradient(90deg, var(--info), #fff); }
.words { margin-top: 8px; }
.words .explanation { font-weight: 600; }
.sentences, .facts-list { margin: 4px 0; padding-left: 20px; }
.hint { color: #495057; margin: 0 0 4px; font-size: 13px; }
.zoom-buttons { display: flex; gap: 6px; margin: 6px 0; }
.chart { margin: 6px 0 12px; min-height: 40px; }
.chart-title { font-weight: 600; margin: 8px 0 2px; }
table.per-key { border-collapse: collapse; min-width: 520px; }
table.per-key th, table.per-key td { padding: 3px 14px 3px 0; border-bottom: 1px solid #e9ecef; text-align: left; }
table.per-key td.num, table.per-key th:nth-child(2), table.per-key th:nth-child(4) { text-align: right; }
table.per-key tr.bad .verdict-cell { color: var(--bad); font-weight: 700; }
table.per-key tr.unknown .verdict-cell { color: #868e96; font-weight: 700; }
table.per-key tr.good .verdict-cell { color: #2b8a3e; }
#tip { position: fixed; z-index: 10; pointer-events: none; background: #1d2330; color: #f8f9fa; padding: 6px 9px; border-radius: 5px; font-size: 12.5px; line-height: 1.4; white-space: pre; max-width: 560px; box-shadow: 0 2px 8px rgba(0,0,0,.25); }
details.more { margin-top: 8px; color: #495057; }
details.more summary { cursor: pointer; }
footer { font-size: 12px; margin-top: 10px; }
.uplot { font-family: inherit; }
.journal { display: flex; gap: 1.5em; flex-wrap: wrap; align-items: flex-start; }
.journal-node { min-width: 14em; }
.journal-node h5 { margin: 0.3em 0; font-family: monospace; font-size: 1em; }
.journal-node ol { margin: 0; padding-left: 1.6em; font-size: 0.92em; }
`;
