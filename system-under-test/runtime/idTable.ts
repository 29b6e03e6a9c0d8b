// Values by integer id, for ids handed out in increasing order and mostly
// dropped soon after, in roughly that order: pending requests by msg_id. A
// sorted array with holes, searched by halving, its dead front dropped as it
// goes and the rest compacted when holes outnumber the values, so that one
// entry held long (a call to a partitioned node) keeps it small. simnet's
// timers use a direct index instead (its TimerTable): their ids are
// consecutive and held for seconds at most, where an index beats halving. A Map that thousands of entries pass through reallocates its table
// over and over: as it fills with deleted entries, and each time it empties.
export class IdTable<T extends object> {
  // The entries are [head, end) of these arrays; their lengths only grow, so emptying the table
  // and filling it again allocates nothing.
  private readonly ids: number[] = [];
  /** undefined: a hole (a deleted entry, kept so that ids stays sorted). */
  private readonly values: (T | undefined)[] = [];
  /** Every entry before it is a hole. */
  private head = 0;
  private end = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds `value` under `id`, which must be greater than every id added before. */
  add(id: number, value: T): void {
    const n = this.end;
    if (n > 0 && this.ids[n - 1] >= id) throw new Error(`IdTable: id ${id} added after id ${this.ids[n - 1]}`);
    if (n === this.ids.length) {
      this.ids.push(id);
      this.values.push(value);
    } else {
      this.ids[n] = id;
      this.values[n] = value;
    }
    this.end = n + 1;
    this.count++;
  }

  get(id: number): T | undefined {
    const i = this.indexOf(id);
    return i < 0 ? undefined : this.values[i];
  }

  has(id: number): boolean {
    return this.indexOf(id) >= 0;
  }

  /** Removes the value under `id`; false if there was none. */
  delete(id: number): boolean {
    const i = this.indexOf(id);
    if (i < 0) return false;
    this.values[i] = undefined;
    this.count--;
    const n = this.end;
    if (this.count === 0) {
      this.head = this.end = 0;
    } else if (i === this.head) {
      while (this.values[this.head] === undefined) this.head++;
      if (this.head > 64 && this.head > n >> 1) this.compact();
    } else if (n - this.head > 64 && n - this.head > 2 * this.count) {
      this.compact();
    }
    return true;
  }

  clear(): void {
    for (let i = this.head; i < this.end; i++) this.values[i] = undefined;
    this.head = this.end = 0;
    this.count = 0;
  }

  /** The values in id order. */
  *entries(): IterableIterator<T> {
    for (let i = this.head; i < this.end; i++) {
      const v = this.values[i];
      if (v !== undefined) yield v;
    }
  }

  private indexOf(id: number): number {
    let lo = this.head;
    let hi = this.end - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const m = this.ids[mid];
      if (m === id) return this.values[mid] === undefined ? -1 : mid;
      if (m < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  private compact(): void {
    let j = 0;
    for (let i = this.head; i < this.end; i++) {
      const v = this.values[i];
      if (v === undefined) continue;
      this.ids[j] = this.ids[i];
      this.values[j] = v;
      j++;
    }
    for (let i = j; i < this.end; i++) this.values[i] = undefined;
    this.head = 0;
    this.end = j;
  }
}
