// Rendering check results: plain text for people, JSON per DESIGN.md for tools.
import type { CheckResultDetail, KeyFailureDetail } from './check.ts';
import { describeOp, formatTime, show, type TimeUnit } from './explain.ts';
import { keyOf, showKey } from './keys.ts';
import { escapeControl } from './quote.ts';
import type { Operation } from './types.ts';

export interface FileReport {
  file: string;
  result: CheckResultDetail;
}

const ms = (x: number): string => (x < 10 ? x.toFixed(2) : x.toFixed(0));

/** Milliseconds (3 digits) unless that would print two different times of these ops alike; then µs, then ns. */
function digitsFor(ops: Operation[], unit: TimeUnit): number {
  const times = [...new Set(ops.flatMap((op) => [op.call, op.return]))];
  for (const digits of [3, 6]) {
    if (new Set(times.map((t) => formatTime(t, unit, digits))).size === times.length) return digits;
  }
  return 9;
}

function renderFailure(f: KeyFailureDetail, unit: TimeUnit): string {
  const shown = f.longestPrefix.slice(-5);
  // Text shows seconds since the start (or line numbers); --json keeps the raw times.
  const digits = digitsFor([...shown.map((s) => s.op), f.stuck, ...f.minimal], unit);
  const when = (op: Operation): string => `[${formatTime(op.call, unit, digits)}, ${formatTime(op.return, unit, digits)}]`;
  const lines = [`  ${showKey(f.key)}: not linearizable`, `    ${f.explanation}`];
  lines.push(`    longest linearizable prefix: ${f.longestPrefix.length} operation(s)${f.longestPrefix.length > shown.length ? `, the last ${shown.length}:` : ':'}`);
  for (const s of shown) lines.push(`      ${describeOp(s.op)} ${when(s.op)}: ${show(s.stateBefore)} -> ${show(s.stateAfter)}`);
  lines.push(`    cannot be linearized next: ${describeOp(f.stuck)} ${when(f.stuck)}`);
  if (f.minimal.length > 0) {
    lines.push(`    minimal non-linearizable sub-history (${f.minimal.length} operation(s)${f.minimalIsOneMinimal ? '' : ', shrinking stopped at its time limit'}):`);
    for (const op of f.minimal) lines.push(`      ${describeOp(op)} ${when(op)} (history index ${op.invokeIndex})`);
  }
  return lines.join('\n');
}

export function renderFailureText(file: string, r: CheckResultDetail, unit: TimeUnit = 'ns'): string {
  const verdict = r.valid === true ? 'linearizable' : r.valid === false ? 'NOT linearizable' : `unknown (${r.unknownReason === 'memory' ? 'memory limit' : 'time limit'} reached)`;
  const head = `${escapeControl(file)}: ${verdict} (${r.ops} ops, ${r.keys} key(s), ${ms(r.elapsedMs)} ms)`;
  if (r.failures.length === 0) return `${head}\n`;
  return `${head}\n${r.failures.map((f) => renderFailure(f, unit)).join('\n')}\n`;
}

// JSON-safe operation: Infinity is not JSON, so an open return becomes null; the key as the history wrote it (keys.ts).
function opJson(op: Operation): Record<string, unknown> {
  return { ...op, key: keyOf(op.key), return: op.return === Infinity ? null : op.return };
}

export function toJsonReport({ file, result }: FileReport): Record<string, unknown> {
  return {
    file,
    valid: result.valid,
    ops: result.ops,
    keys: result.keys,
    elapsedMs: Math.round(result.elapsedMs * 1000) / 1000,
    verdictMs: Math.round(result.verdictMs * 1000) / 1000,
    failures: result.failures.map((f) => ({
      key: keyOf(f.key),
      explanation: f.explanation,
      stuck: opJson(f.stuck),
      longestPrefix: f.longestPrefix.map((s) => ({ op: opJson(s.op), stateBefore: s.stateBefore, stateAfter: s.stateAfter })),
      minimal: f.minimal.map(opJson),
      minimalIsOneMinimal: f.minimalIsOneMinimal,
    })),
    ...(result.unknownReason !== undefined ? { unknownReason: result.unknownReason } : {}),
  };
}
