// The native history format (../shared/DESIGN.md, "History format"): one JSON
// object per line. Only the shape of each line is checked here; the order
// rules (pairing, retired processes, time) are checked by pairing.ts so that
// every importer gets them.
import { HistoryError } from '../errors.ts';
import type { HistoryEvent, Value } from '../types.ts';
import type { LocatedEvent } from './located.ts';

const TYPES = new Set(['invoke', 'ok', 'fail', 'info']);
const FUNCTIONS = new Set(['read', 'write', 'cas', 'append']);

export function isValue(v: unknown): v is Value {
  return v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
}

export function parseJsonl(text: string, file: string): LocatedEvent[] {
  const out: LocatedEvent[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (raw === '') continue;
    const line = i + 1;
    const fail = (msg: string): never => {
      throw new HistoryError(file, line, msg);
    };
    let obj: unknown;
    try {
      obj = JSON.parse(raw);
    } catch (e) {
      fail(`malformed JSON (${(e as Error).message})`);
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) fail('expected a JSON object');
    const o = obj as Record<string, unknown>;
    const index = o.index === undefined ? out.length : o.index;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0) fail(`"index" must be a non-negative integer, got ${JSON.stringify(o.index)}`);
    if (typeof o.time !== 'number' || !Number.isFinite(o.time) || o.time < 0) fail(`"time" must be a non-negative number, got ${JSON.stringify(o.time)}`);
    const time = o.time as number;
    if (o.process === 'nemesis') {
      // Nemesis events: kept for reports, ignored by the checker.
      out.push({ line, event: { index: index as number, time, process: 'nemesis', type: 'info', f: String(o.f), value: o.value } });
      continue;
    }
    if (typeof o.process !== 'number' || !Number.isInteger(o.process) || o.process < 0) {
      fail(`"process" must be a non-negative integer or "nemesis", got ${JSON.stringify(o.process)}`);
    }
    if (typeof o.type !== 'string' || !TYPES.has(o.type)) fail(`unknown "type" ${JSON.stringify(o.type)} (expected invoke, ok, fail or info)`);
    if (typeof o.f !== 'string' || !FUNCTIONS.has(o.f)) fail(`unknown "f" ${JSON.stringify(o.f)} (expected read, write, cas or append)`);
    if (o.key !== undefined && typeof o.key !== 'string') fail(`"key" must be a string, got ${JSON.stringify(o.key)}`);
    const value = o.value === undefined ? null : o.value;
    if (o.f === 'cas') {
      if (!Array.isArray(value) || value.length !== 2 || !isValue(value[0]) || !isValue(value[1])) {
        fail(`a cas "value" must be [from, to], got ${JSON.stringify(o.value)}`);
      }
    } else if (!isValue(value)) {
      fail(`"value" must be a number, string or null, got ${JSON.stringify(o.value)}`);
    }
    const event: HistoryEvent = {
      index: index as number,
      time,
      process: o.process as number,
      type: o.type as 'invoke',
      f: o.f as 'read',
      value: value as Value,
    };
    if (o.key !== undefined) event.key = o.key as string;
    if (typeof o.error === 'string') event.error = o.error;
    out.push({ line, event });
  }
  return out;
}
