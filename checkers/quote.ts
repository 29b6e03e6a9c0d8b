// Echoing input back to a person. A value in a history can be megabytes
// long, nested thousands of levels deep, or carry terminal escapes; none of
// that may reach stderr raw or in full. Every message that shows a piece of
// input quotes it with quote(), and every line a command prints about its
// input goes through escapeControl() (HistoryError and usageErrorLine do it
// for their messages), so a file name or a JSON.parse message that embeds
// input is covered too.

/** How much of a value a message shows. */
const MAX_CHARS = 80;
/** How deep a nested value is shown before it is elided. */
const MAX_DEPTH = 6;

// C0 and C1 controls, DEL, line and paragraph separators, and the bidi
// controls that reorder what a terminal shows.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** The text with every control character written as a \uXXXX escape: it can no longer move the cursor, recolour or reorder the terminal. */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** At most `max` characters of `text`, saying how much was left out. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/**
 * A value from the input as a message shows it: JSON-like (strings in
 * quotes, `undefined` as "nothing", numbers JSON cannot hold by name), on one
 * line, control characters escaped, at most about `max` characters, and
 * never recursing deeper than a few levels, however deep the value is.
 */
export function quote(value: unknown, max = MAX_CHARS): string {
  const out: string[] = [];
  let used = 0;
  let cut = false;
  const put = (s: string): boolean => {
    if (used + s.length > max) {
      out.push(s.slice(0, Math.max(0, max - used)));
      used = max;
      cut = true;
      return false;
    }
    out.push(s);
    used += s.length;
    return true;
  };
  // Returns false once the budget is spent, so no caller keeps walking a huge value.
  const walk = (v: unknown, depth: number): boolean => {
    if (v === undefined) return put('nothing');
    if (v === null) return put('null');
    if (typeof v === 'string') return put(escapeControl(JSON.stringify(v.length > max ? v.slice(0, max + 1) : v)));
    if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return put(String(v));
    if (typeof v !== 'object') return put(`(${typeof v})`);
    if (depth >= MAX_DEPTH) return put(Array.isArray(v) ? '[…]' : '{…}');
    if (Array.isArray(v)) {
      if (!put('[')) return false;
      for (let i = 0; i < v.length; i++) if ((i > 0 && !put(', ')) || !walk(v[i], depth + 1)) return false;
      return put(']');
    }
    if (!put('{')) return false;
    let first = true;
    for (const k in v) {
      if (!Object.hasOwn(v, k)) continue;
      if ((!first && !put(', ')) || !walk(k, depth + 1) || !put(': ') || !walk((v as Record<string, unknown>)[k], depth + 1)) return false;
      first = false;
    }
    return put('}');
  };
  walk(value, 0);
  return cut ? `${out.join('')}…` : out.join('');
}
