// A Raft member's durable state (term, vote, log) as one append-only file on
// the node's Storage, in the spirit of etcd's WAL: each save is one JSON line,
// `{"hs":{"term":3,"vote":"vs1"}}` and/or `{"entries":[...]}`, appended and
// made durable before `save` returns (Storage's duty). Replaying the lines in
// order gives the state back: the last hard state wins, and an entries record
// replaces the log from its first index on (a follower's truncated suffix).
//
// A crash during an append can leave a torn last line; nothing was sent that
// depended on it (Raft's R6: the host sends only after `save` returned), so
// `load` drops it and rewrites the file without it, before anything is
// appended after it. A damaged line anywhere else is real corruption: `load`
// refuses to guess.
import type { Storage } from '../runtime/env.ts';
import type { Entry } from './log.ts';
import type { HardState } from './raft.ts';

const FILE = 'raft.wal';

export interface Restored {
  hardState: HardState;
  entries: Entry[];
  /** Lines read, and whether a torn last line was dropped (for the log). */
  records: number;
  tornTail: boolean;
}

interface LogRecord {
  hs?: HardState;
  entries?: Entry[];
}

function isRecord(x: unknown): x is LogRecord {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as Record<string, unknown>;
  const hs = r.hs as Record<string, unknown> | undefined;
  if (hs !== undefined && (typeof hs !== 'object' || hs === null || typeof hs.term !== 'number' || (hs.vote !== null && typeof hs.vote !== 'string'))) return false;
  if (r.entries !== undefined && !Array.isArray(r.entries)) return false;
  return hs !== undefined || r.entries !== undefined;
}

export class RaftWal {
  constructor(private readonly storage: Storage) {}

  load(): Restored {
    const text = this.storage.read(FILE) ?? '';
    const lines = text.split('\n');
    // A complete file ends with a newline, so the last piece is empty; anything else there is torn.
    let tornTail = lines.pop() !== '';
    const hardState: HardState = { term: 0, vote: null };
    const entries: Entry[] = [];
    for (let i = 0; i < lines.length; i++) {
      let record: unknown;
      try {
        record = JSON.parse(lines[i]);
      } catch {
        record = undefined;
      }
      if (!isRecord(record)) {
        if (i === lines.length - 1) {
          tornTail = true;
          lines.pop();
          break;
        }
        throw new Error(`${FILE}: line ${i + 1} is damaged and is not the last one; refusing to guess the state`);
      }
      if (record.hs !== undefined) Object.assign(hardState, { term: record.hs.term, vote: record.hs.vote });
      for (const e of record.entries ?? []) {
        if (typeof e?.index !== 'number' || typeof e.term !== 'number' || e.index < 1 || e.index > entries.length + 1) {
          throw new Error(`${FILE}: line ${i + 1}: entry ${JSON.stringify(e)} does not follow the log (${entries.length} entries)`);
        }
        entries.length = e.index - 1;
        entries.push({ index: e.index, term: e.term, data: e.data ?? null });
      }
    }
    if (tornTail) this.storage.write(FILE, lines.map((l) => l + '\n').join(''));
    return { hardState, entries, records: lines.length, tornTail };
  }

  /** Makes `hardState` (if any) and `entries` (if any) durable, in one append. */
  save(hardState: HardState | null, entries: readonly Entry[]): void {
    if (hardState === null && entries.length === 0) return;
    const record: LogRecord = {};
    if (hardState !== null) record.hs = hardState;
    if (entries.length > 0) record.entries = [...entries];
    this.storage.append(FILE, JSON.stringify(record) + '\n');
  }
}
