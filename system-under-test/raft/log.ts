// The replicated log of one Raft member: entries 1..lastIndex, all in memory
// (no snapshots: the logs this repository's designs keep stay small). Index 0
// is the empty prefix, with term 0, which every log matches.

export interface Entry {
  index: number;
  term: number;
  /** The command, as JSON; null is a leader's empty entry at the start of its term. */
  data: unknown;
}

export class RaftLog {
  private readonly entries: Entry[] = [];

  constructor(restored: readonly Entry[] = []) {
    restored.forEach((e, i) => {
      if (e.index !== i + 1) throw new Error(`raft log: restored entry ${i} has index ${e.index}`);
    });
    this.entries.push(...restored);
  }

  get lastIndex(): number {
    return this.entries.length;
  }

  get lastTerm(): number {
    return this.term(this.lastIndex)!;
  }

  /** The term of the entry at `index` (0 for index 0); undefined past the end. */
  term(index: number): number | undefined {
    if (index === 0) return 0;
    return this.entries[index - 1]?.term;
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  /** Entries from `from` (inclusive) on, at most `max` of them. */
  slice(from: number, max = Infinity): Entry[] {
    return this.entries.slice(from - 1, Math.min(this.entries.length, from - 1 + max));
  }

  /** Appends at the end (a leader's own proposals). */
  push(entry: Entry): void {
    if (entry.index !== this.lastIndex + 1) throw new Error(`raft log: appending index ${entry.index} after ${this.lastIndex}`);
    this.entries.push(entry);
  }

  /** Drops every entry from `index` on (a follower's conflicting suffix). */
  truncateFrom(index: number): void {
    this.entries.length = Math.min(this.entries.length, index - 1);
  }

  /**
   * The election restriction (Raft §5.4.1): a candidate's log is at least as
   * up to date as this one if its last term is higher, or equal with an index
   * at least as high.
   */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    return lastTerm > this.lastTerm || (lastTerm === this.lastTerm && lastIndex >= this.lastIndex);
  }
}
