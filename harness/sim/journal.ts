// The simulator's message journal (Maelstrom's net/journal, for one run):
// every message delivered between nodes, with its virtual time. Real
// processes keep their messages to themselves; a simulated run can show what
// each node was told, in the order it was told, which is how a report names
// the two replicas that applied the same writes in opposite orders, or the
// two servers that both acted as primary.
import { readFileSync, writeFileSync } from 'node:fs';
import type { Body } from '../../system-under-test/runtime/env.ts';

export interface JournalEntry {
  /** Virtual ms since the run started, at delivery. */
  t: number;
  from: string;
  to: string;
  body: Body;
}

export const JOURNAL_FILE = 'messages.jsonl';

export function writeJournal(path: string, entries: JournalEntry[]): void {
  writeFileSync(path, entries.map((e) => JSON.stringify(e) + '\n').join(''));
}

/** The journal beside a history, or null (a real run has none; a bad line ends the reading there). */
export function readJournal(path: string): JournalEntry[] | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  const out: JournalEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line) as JournalEntry);
    } catch {
      break;
    }
  }
  return out;
}

/** The operation a message carries about a key, if any: its own fields, or an `op` inside it. */
function opAbout(body: Body, key: string): Record<string, unknown> | null {
  const sameKey = (k: unknown) => k !== undefined && String(k) === key;
  if (sameKey(body.key)) return body;
  const op = body.op as Record<string, unknown> | undefined;
  if (op && typeof op === 'object' && sameKey(op.key)) return op;
  return null;
}

/** One line for a message: what it asks of its receiver about the key. */
export function describeMessage(body: Body, key: string): string | null {
  const op = opAbout(body, key);
  if (op === null) return null;
  const f = String(op.f ?? body.type);
  if (f === 'write') return `write ${JSON.stringify(op.value)}`;
  if (f === 'cas') return `cas ${JSON.stringify(op.from)}→${JSON.stringify(op.to)}`;
  if (f === 'read') return 'read';
  return f;
}

export interface NodeColumn {
  node: string;
  /** In delivery order: time (ms), sender, what was asked. */
  received: Array<{ t: number; from: string; what: string }>;
}

/**
 * What each of `nodes` received about `key` in [fromMs, toMs], one column per
 * node that received anything, in delivery order: the order of the writes,
 * and who was asked the reads, is the story. Replies are left out.
 */
export function receivedAbout(journal: JournalEntry[], key: string, nodes: string[], fromMs: number, toMs: number, limit = 40): NodeColumn[] {
  const columns = new Map<string, NodeColumn>();
  for (const e of journal) {
    if (e.t < fromMs || e.t > toMs || !nodes.includes(e.to)) continue;
    const what = describeMessage(e.body, key);
    if (what === null || /_ok$/.test(String(e.body.type))) continue;
    const col = columns.get(e.to) ?? { node: e.to, received: [] };
    columns.set(e.to, col);
    if (col.received.length < limit) col.received.push({ t: e.t, from: e.from, what });
  }
  return [...columns.values()].sort((a, b) => a.node.localeCompare(b.node));
}
