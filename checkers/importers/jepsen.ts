// Jepsen's `jepsen.util` log lines, as in the etcd histories of the Porcupine
// corpus:   INFO  jepsen.util - 3	:ok	:cas	[1 4]
// Values: nil, integers, [from to], and :timed-out on indeterminate
// completions. Nemesis lines (:nemesis :info :start ...) are kept as nemesis
// events for the report; lines of other loggers are skipped; an op line we
// cannot read, a cut-short one included, is an error, never guessed: a
// skipped `:fail` would turn a write that did not happen into one that may
// have.
import { failAt } from '../errors.ts';
import { quote } from '../quote.ts';
import type { ClientEvent, Value } from '../types.ts';
import type { LocatedEvent } from './located.ts';

const OP_LINE = /^\S+\s+jepsen\.util\s+-\s+(\S+)\s+(\S+)\s+(\S+)\s*(.*)$/;
// What makes a jepsen.util line an op line: a process (an integer or :nemesis) right after the logger name.
const OP_START = /^\S+\s+jepsen\.util\s+-\s+(\d+|:nemesis)(\s|$)/;
const TYPES: Record<string, ClientEvent['type']> = { ':invoke': 'invoke', ':ok': 'ok', ':fail': 'fail', ':info': 'info' };
const FUNCTIONS: Record<string, ClientEvent['f']> = { ':read': 'read', ':write': 'write', ':cas': 'cas', ':append': 'append' };

function parseScalar(s: string): Value | undefined {
  if (s === 'nil') return null;
  if (/^-?\d+$/.test(s)) return Number(s);
  if (/^"(?:[^"\\]|\\.)*"$/.test(s)) return JSON.parse(s) as string;
  return undefined;
}

export function looksLikeJepsenLog(text: string): boolean {
  return /^\S+\s+jepsen\.util\s+-\s+\S+\s+:(invoke|ok|fail|info)\b/m.test(text.slice(0, 10_000));
}

export function parseJepsenLog(text: string, file: string): LocatedEvent[] {
  const out: LocatedEvent[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    const m = OP_LINE.exec(raw);
    const line = i + 1;
    if (m === null) {
      if (OP_START.test(raw)) failAt(file, line, `incomplete op line (expected process, type, function and value): ${quote(raw)}`);
      continue;
    }
    const [, proc, typeTok, fTok, rest] = m;
    if (proc === ':nemesis') {
      const detail = rest.trim();
      out.push({ line, event: { index: out.length, time: line, process: 'nemesis', type: 'info', f: fTok.replace(/^:/, ''), value: detail === '' || detail === 'nil' ? undefined : detail } });
      continue;
    }
    if (!/^\d+$/.test(proc)) failAt(file, line, `process must be a non-negative integer or :nemesis, got ${quote(proc)}`);
    const type = TYPES[typeTok];
    if (type === undefined) failAt(file, line, `unknown type ${quote(typeTok)} (expected :invoke, :ok, :fail or :info)`);
    const f = FUNCTIONS[fTok];
    if (f === undefined) failAt(file, line, `unknown function ${quote(fTok)} (expected :read, :write, :cas or :append)`);
    const valueText = rest.trim();
    let value: ClientEvent['value'];
    let error: string | undefined;
    if (valueText.startsWith(':')) {
      // :timed-out and friends: an error keyword instead of a value. Only a
      // completion may carry one; pairing.ts takes the value from the invoke.
      if (type === 'invoke') failAt(file, line, `an invoke must carry a value, got ${quote(valueText)}`);
      if (type === 'ok') failAt(file, line, `an :ok completion must carry a value, got ${quote(valueText)}`);
      error = valueText.slice(1);
      value = null;
    } else if (f === 'cas') {
      const c = /^\[\s*(\S+)\s+(\S+)\s*\]$/.exec(valueText);
      const from = c ? parseScalar(c[1]) : undefined;
      const to = c ? parseScalar(c[2]) : undefined;
      if (from === undefined || to === undefined) failAt(file, line, `a :cas value must be [from to], got ${valueText === '' ? 'nothing' : quote(valueText)}`);
      value = [from as Value, to as Value];
    } else {
      const v = parseScalar(valueText);
      if (v === undefined) failAt(file, line, `cannot read value ${valueText === '' ? '(nothing)' : quote(valueText)} (expected nil, an integer or a string)`);
      value = v as Value;
    }
    // The log has no clock: the line number orders events, which is all the checker needs.
    const event: ClientEvent = { index: out.length, time: line, process: Number(proc), type: type as ClientEvent['type'], f: f as ClientEvent['f'], value };
    if (error !== undefined) event.error = error;
    out.push({ line, event });
  }
  return out;
}
