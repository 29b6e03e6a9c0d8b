// Jepsen `history.edn`, one map per line, as in the kv histories of the
// Porcupine corpus: {:process 0, :type :invoke, :f :get, :key "7", :value nil}
// :get/:put/:append map to read/write/append (:read/:write/:cas are accepted
// too). Parsing uses the maintained `edn-data` package.
import { createRequire } from 'node:module';
import { failAt } from '../errors.ts';
import { isKey, keyName } from '../keys.ts';
import { quote } from '../quote.ts';
import type { ClientEvent, Value } from '../types.ts';
import { MAX_NEMESIS_VALUE_DEPTH, nestsDeeperThan } from './depth.ts';
import type { LocatedEvent } from './located.ts';

type EdnData = typeof import('edn-data');
let ednData: EdnData | undefined;

/**
 * edn-data, loaded when the first EDN history is parsed rather than with the
 * checker: loading it cost 24 ms, a tenth of the whole `check` process of a
 * JSONL file, which never needs it.
 */
function parseEDNString(...args: Parameters<EdnData['parseEDNString']>): ReturnType<EdnData['parseEDNString']> {
  ednData ??= createRequire(import.meta.url)('edn-data') as EdnData;
  return ednData.parseEDNString(...args);
}

const TYPES = new Set(['invoke', 'ok', 'fail', 'info']);
const FUNCTIONS: Record<string, ClientEvent['f']> = { get: 'read', read: 'read', put: 'write', write: 'write', append: 'append', cas: 'cas' };

export function looksLikeEdn(text: string): boolean {
  const first = firstNonBlankLine(text);
  return first !== undefined && /^\{\s*:/.test(first);
}

/**
 * The first line of `text` that is not blank, trimmed. Line by line, not by
 * splitting the whole text: format detection runs on every file `check`
 * reads, and splitting a 10 MB history into lines only to look at its first
 * took 38 ms.
 */
export function firstNonBlankLine(text: string): string | undefined {
  for (let start = 0; start <= text.length; ) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const line = text.slice(start, end).trim();
    if (line !== '') return line;
    start = end + 1;
  }
  return undefined;
}

function isValue(v: unknown): v is Value {
  return v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
}

/**
 * Where the line's first form ends: after the bracket closing the one it
 * opens with (strings, escapes and character literals skipped), -1 if that
 * bracket never closes, or the whole line for a form without brackets.
 */
function firstFormEnd(line: string): number {
  if (!'{[(#'.includes(line[0])) return line.length;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '\\') i++; // a character literal such as \{
    else if (c === ';') return -1; // a comment inside the form swallows its end
    else if (c === '{' || c === '[' || c === '(') depth++;
    else if (c === '}' || c === ']' || c === ')') {
      if (--depth === 0) return i + 1;
    }
  }
  return -1;
}

export function parseEdnHistory(text: string, file: string): LocatedEvent[] {
  const out: LocatedEvent[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (raw === '' || raw.startsWith(';')) continue;
    const line = i + 1;
    // edn-data reads the first form and ignores the rest of the line, and
    // returns null for an unterminated one: both are checked here.
    const end = firstFormEnd(raw);
    if (end === -1) failAt(file, line, 'malformed EDN (the map is not complete)');
    const rest = raw.slice(end).trim();
    if (rest !== '' && !rest.startsWith(';')) failAt(file, line, `text after the map (one map per line): ${quote(rest)}`);
    let obj: unknown;
    try {
      obj = parseEDNString(raw.slice(0, end), { mapAs: 'object', keywordAs: 'string', listAs: 'array' });
    } catch (e) {
      failAt(file, line, `malformed EDN (${(e as Error).message})`);
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) failAt(file, line, `expected an EDN map, got ${quote(obj)}`);
    const o = obj as Record<string, unknown>;
    if (o.process === 'nemesis') {
      // Kept for the report's fault shading (Jepsen: :f :start/:stop, or start-partition...); checkers skip them.
      if (typeof o.f !== 'string') failAt(file, line, `a nemesis event needs an :f keyword, got ${quote(o.f)}`);
      if (nestsDeeperThan(o.value, MAX_NEMESIS_VALUE_DEPTH)) failAt(file, line, `a nemesis :value may nest at most ${MAX_NEMESIS_VALUE_DEPTH} levels deep`);
      // A clockless nemesis map in a clocked history sits at the previous event's time, not at its line number.
      const time = typeof o.time === 'number' ? o.time : (out.at(-1)?.event.time ?? line);
      out.push({ line, event: { index: out.length, time, process: 'nemesis', type: 'info', f: o.f as string, value: o.value ?? undefined } });
      continue;
    }
    if (typeof o.process !== 'number' || !Number.isInteger(o.process) || o.process < 0) failAt(file, line, `:process must be a non-negative integer or :nemesis, got ${quote(o.process)}`);
    if (typeof o.type !== 'string' || !TYPES.has(o.type)) failAt(file, line, `unknown :type ${quote(o.type)} (expected :invoke, :ok, :fail or :info)`);
    const f = typeof o.f === 'string' ? FUNCTIONS[o.f] : undefined;
    if (f === undefined) failAt(file, line, `unknown :f ${quote(o.f)} (expected :get, :put, :append, :read, :write or :cas)`);
    if (o.key !== undefined && !isKey(o.key)) failAt(file, line, `:key must be a string or an integer, got ${quote(o.key)}`);
    const value = o.value === undefined ? null : o.value;
    if (f === 'cas') {
      if (!Array.isArray(value) || value.length !== 2 || !isValue(value[0]) || !isValue(value[1])) failAt(file, line, `a :cas value must be [from to], got ${quote(value)}`);
    } else if (!isValue(value)) {
      failAt(file, line, `:value must be nil, a number or a string, got ${quote(value)}`);
    }
    const time = typeof o.time === 'number' ? o.time : line;
    const event: ClientEvent = { index: out.length, time, process: o.process as number, type: o.type as ClientEvent['type'], f: f as ClientEvent['f'], value: value as Value };
    // Keys keep their type: :key 1 and :key "1" are two registers (keys.ts).
    if (o.key !== undefined) event.key = keyName(o.key as string | number);
    if (typeof o.error === 'string') event.error = o.error;
    out.push({ line, event });
  }
  return out;
}
