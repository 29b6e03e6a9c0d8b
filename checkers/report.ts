// Rendering check results: plain text for people, JSON per DESIGN.md for tools.
import type { CheckResultDetail, KeyFailureDetail } from './check.ts';
import { describeOp } from './explain.ts';
import type { Operation, Value } from './types.ts';

export interface FileReport {
  file: string;
  result: CheckResultDetail;
}

const show = (v: Value): string => (v === null ? 'nil' : JSON.stringify(v));
const ms = (x: number): string => (x < 10 ? x.toFixed(2) : x.toFixed(0));
const when = (op: Operation): string => `[${op.call}, ${op.return === Infinity ? '∞' : op.return}]`;

function renderFailure(f: KeyFailureDetail): string {
  const key = f.key === '' ? 'the register' : `key ${JSON.stringify(f.key)}`;
  const lines = [`  ${key}: not linearizable`, `    ${f.explanation}`];
  const shown = f.longestPrefix.slice(-5);
  lines.push(`    longest linearizable prefix: ${f.longestPrefix.length} operation(s)${f.longestPrefix.length > shown.length ? `, the last ${shown.length}:` : ':'}`);
  for (const s of shown) lines.push(`      ${describeOp(s.op)} ${when(s.op)}: ${show(s.stateBefore)} -> ${show(s.stateAfter)}`);
  lines.push(`    cannot be linearized next: ${describeOp(f.stuck)} ${when(f.stuck)}`);
  if (f.minimal.length > 0) {
    lines.push(`    minimal non-linearizable sub-history (${f.minimal.length} operation(s)${f.minimalIsOneMinimal ? '' : ', shrinking stopped at its time limit'}):`);
    for (const op of f.minimal) lines.push(`      ${describeOp(op)} ${when(op)} (history index ${op.invokeIndex})`);
  }
  return lines.join('\n');
}

export function renderFailureText(file: string, r: CheckResultDetail): string {
  const verdict = r.valid === true ? 'linearizable' : r.valid === false ? 'NOT linearizable' : `unknown (${r.unknownReason === 'memory' ? 'memory limit' : 'time limit'} reached)`;
  const head = `${file}: ${verdict} (${r.ops} ops, ${r.keys} key(s), ${ms(r.elapsedMs)} ms)`;
  if (r.failures.length === 0) return `${head}\n`;
  return `${head}\n${r.failures.map(renderFailure).join('\n')}\n`;
}

// JSON-safe operation: Infinity is not JSON, so an open return becomes null.
function opJson(op: Operation): Record<string, unknown> {
  return { ...op, return: op.return === Infinity ? null : op.return };
}

export function toJsonReport({ file, result }: FileReport): Record<string, unknown> {
  return {
    file,
    valid: result.valid,
    ops: result.ops,
    keys: result.keys,
    elapsedMs: Math.round(result.elapsedMs * 1000) / 1000,
    failures: result.failures.map((f) => ({
      key: f.key,
      explanation: f.explanation,
      stuck: opJson(f.stuck),
      longestPrefix: f.longestPrefix.map((s) => ({ op: opJson(s.op), stateBefore: s.stateBefore, stateAfter: s.stateAfter })),
      minimal: f.minimal.map(opJson),
      minimalIsOneMinimal: f.minimalIsOneMinimal,
    })),
    ...(result.unknownReason !== undefined ? { unknownReason: result.unknownReason } : {}),
  };
}
