// The native history format (../shared/DESIGN.md, "History format"): one JSON
// object per line. Only the shape of each line is checked here; the order
// rules (pairing, retired processes, time) are checked by pairing.ts so that
// every importer gets them.
import { failAt } from '../errors.ts';
import { isKey, keyName } from '../keys.ts';
import { quote } from '../quote.ts';
import type { HistoryEvent, Value } from '../types.ts';
import { MAX_NEMESIS_VALUE_DEPTH, nestsDeeperThan } from './depth.ts';
import type { LocatedEvent } from './located.ts';

const TYPES = new Set(['invoke', 'ok', 'fail', 'info']);
const FUNCTIONS = new Set(['read', 'write', 'cas', 'append']);

export function isValue(v: unknown): v is Value {
  return v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
}

/** A number JSON.parse turned into Infinity (1e400) is out of range, which "got Infinity" would hide. */
function got(v: unknown): string {
  return typeof v === 'number' && !Number.isFinite(v) ? 'a number out of range' : quote(v);
}

export function parseJsonl(text: string, file: string): LocatedEvent[] {
  const out: LocatedEvent[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (raw === '') continue;
    const line = i + 1;
    let obj: unknown;
    try {
      obj = JSON.parse(raw);
    } catch (e) {
      failAt(file, line, `malformed JSON (${(e as Error).message})`);
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) failAt(file, line, `expected a JSON object, got ${quote(obj)}`);
    const o = obj as Record<string, unknown>;
    const index = o.index === undefined ? out.length : o.index;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0) failAt(file, line, `"index" must be a non-negative integer, got ${got(o.index)}`);
    if (typeof o.time !== 'number' || !Number.isFinite(o.time) || o.time < 0) failAt(file, line, `"time" must be a non-negative number, got ${got(o.time)}`);
    const time = o.time as number;
    if (o.process === 'nemesis') {
      // Nemesis events: kept for reports, ignored by the checker.
      if (typeof o.f !== 'string') failAt(file, line, `a nemesis event needs an "f" string, got ${quote(o.f)}`);
      if (nestsDeeperThan(o.value, MAX_NEMESIS_VALUE_DEPTH)) failAt(file, line, `a nemesis "value" may nest at most ${MAX_NEMESIS_VALUE_DEPTH} levels deep`);
      out.push({ line, event: { index: index as number, time, process: 'nemesis', type: 'info', f: o.f as string, value: o.value } });
      continue;
    }
    if (typeof o.process !== 'number' || !Number.isInteger(o.process) || o.process < 0) {
      failAt(file, line, `"process" must be a non-negative integer or "nemesis", got ${got(o.process)}`);
    }
    if (typeof o.type !== 'string' || !TYPES.has(o.type)) failAt(file, line, `unknown "type" ${quote(o.type)} (expected invoke, ok, fail or info)`);
    if (typeof o.f !== 'string' || !FUNCTIONS.has(o.f)) failAt(file, line, `unknown "f" ${quote(o.f)} (expected read, write, cas or append)`);
    if (o.key !== undefined && !isKey(o.key)) failAt(file, line, `"key" must be a string or an integer, got ${got(o.key)}`);
    // An ok read is what the checker tests; one that does not say what it read is a broken line, not a read of null.
    if (o.type === 'ok' && o.f === 'read' && !('value' in o)) failAt(file, line, 'an ok read must carry the "value" it read (null for a key never written)');
    const value = o.value === undefined ? null : o.value;
    if (o.f === 'cas') {
      if (!Array.isArray(value) || value.length !== 2 || !isValue(value[0]) || !isValue(value[1])) {
        failAt(file, line, `a cas "value" must be [from, to], got ${got(o.value)}`);
      }
    } else if (!isValue(value)) {
      failAt(file, line, `"value" must be a number, string or null, got ${got(o.value)}`);
    }
    const event: HistoryEvent = {
      index: index as number,
      time,
      process: o.process as number,
      type: o.type as 'invoke',
      f: o.f as 'read',
      value: value as Value,
    };
    if (o.key !== undefined) event.key = keyName(o.key as string | number);
    if (typeof o.error === 'string') event.error = o.error;
    out.push({ line, event });
  }
  return out;
}
