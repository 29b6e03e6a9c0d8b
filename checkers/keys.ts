// Keys keep their type: the integer key 1 and the string key "1" are two
// registers (Jepsen's EDN histories may hold both; Maelstrom clients send
// integer keys). Inside the checker, and in the events, operations and
// results it hands to reports, a key travels as its *name*, one string per
// key, chosen so that distinct keys never share one:
// - an integer key is named by its digits: 1 -> `1`;
// - a string key is its own name (`k1`), unless it would read as an integer
//   key or as a quoted name (all digits, or starting with `"`): then it is
//   named in JSON quotes, "1" -> `"1"`;
// - no key at all (and the empty string) is `''`: the single register of a
//   history without keys.
// Names read naturally wherever a report shows them, and keyOf() turns a name
// back into the key, for --json and for writing a history.
import { quote } from './quote.ts';

const INTEGER = /^-?\d+$/;

/** Whether a history may use `v` as a key: a string or a safe integer. */
export function isKey(v: unknown): v is string | number {
  return typeof v === 'string' || (typeof v === 'number' && Number.isSafeInteger(v));
}

/** The name of a key (see above). */
export function keyName(key: string | number | undefined): string {
  if (key === undefined) return '';
  if (typeof key === 'number') return String(key);
  return INTEGER.test(key) || key.startsWith('"') ? JSON.stringify(key) : key;
}

/** The key a name stands for: a number for an integer key, else the string. */
export function keyOf(name: string): string | number {
  if (INTEGER.test(name)) return Number(name);
  return name.startsWith('"') ? (JSON.parse(name) as string) : name;
}

/** How text output names a key: `the register`, `key 1` (integer) or `key "k1"` (string, quoted, escaped, cut if long). */
export function showKey(name: string): string {
  if (name === '') return 'the register';
  return `key ${INTEGER.test(name) ? name : quote(keyOf(name))}`;
}
