// AssemblyScript, not TypeScript: the walk of search.ts (JsWalk) compiled to
// WebAssembly. A `check` process is short-lived, so the JavaScript walk runs
// mostly in V8's interpreter and baseline tiers before it is optimised; a
// WebAssembly module is compiled before its first call, so the walk runs
// compiled code from its first step. Same algorithm, same data, step for step
// (search.ts explains it; kernel.test.ts checks that both walks agree).
//
// Built by `npm run kernel` (scripts/kernel.ts) into searchWasm.ts; a test
// checks that the committed module is the build of this file.
//
// One instance per key's search at a time, with its own memory:
//   [inputs the host writes: call, ret (f64), code (3 i32 per op)]
//   [the walk's arrays: z, reach, order, next, prev, bits, stacks, best prefix, rets]
//   [the cache: an arena of records, then its bucket table]
// A cache record is [key, q, state, next record, words, window words...]:
// the same entries as JsWalk's slot arrays and arena, in one region, so
// that growing needs no second region to move.

// No imports: compiling a module's import wrappers costs more than the rest
// of it (about 2 ms in a fresh process). So the host bounds each run() by
// steps instead of a clock, and grants cache words ahead: a run that needs
// more than it was granted stops with NEED_WORDS and is called again once the
// host's budget has granted them (grant()).

const ILLEGAL: i32 = -1;
const READ: i32 = 0;
const WRITE: i32 = 1;
const CAS_OK: i32 = 2;
const CAS_INFO: i32 = 3;

const PAUSED: i32 = 0;
const OK: i32 = 1;
const STUCK: i32 = 2;
const NEED_WORDS: i32 = 3;

const RECORD_HEADER: i32 = 5;
const MAX_INITIAL_SLOTS: i32 = 256;

let n: i32 = 0;
let m: i32 = 0;
let W: i32 = 0;
let infoLo: i32 = 0;
let infoWords: i32 = 0;
let trackPrefix: bool = true;

let CALL: usize = 0;
let RET: usize = 0;
let CODE: usize = 0;
let Z: usize = 0;
let REACH: usize = 0;
let ORDER: usize = 0;
let NEXT: usize = 0;
let PREV: usize = 0;
let BITS: usize = 0;
let STACK_OP: usize = 0;
let STACK_STATE: usize = 0;
let BEST_OPS: usize = 0;
let BEST_STATES: usize = 0;
let RETS: usize = 0;
let HEAP: usize = 0;

// The cache.
let arenaAt: usize = 0;
let arenaCap: usize = 0; // bytes
let arenaUsed: usize = 0; // bytes
let bucketsAt: usize = 0;
let mask: i32 = 0;
let records: i32 = 0;
let slotCap: i32 = 0;
/** Cache words granted and not yet used. */
let allowance: i32 = 0;
/** What the last NEED_WORDS asked for. */
let needed: i32 = 0;

@inline function take(words: i32): bool {
  if (words > allowance) {
    needed = words;
    return false;
  }
  allowance -= words;
  return true;
}

/** The host's budget granted `words` more. */
export function grant(words: i32): void {
  allowance += words;
}
/** The words the last NEED_WORDS asked for. */
export function neededWords(): i32 {
  return needed;
}

// Where the walk stands between runs.
let entry: i32 = -1;
let depth: i32 = 0;
let state: i32 = 0;
let p: i32 = 0;
let hash: i32 = 0;
let fresh: bool = true;

let bestDepth: i32 = -1;
let bestLen: i32 = -1;
let bestStuck: i32 = -1;
let lowWater: i32 = 0;
let atNewBest: bool = false;

@inline function i32At(base: usize, i: i32): i32 {
  return load<i32>(base + (<usize>i << 2));
}
@inline function setI32(base: usize, i: i32, v: i32): void {
  store<i32>(base + (<usize>i << 2), v);
}
@inline function f64At(base: usize, i: i32): f64 {
  return load<f64>(base + (<usize>i << 3));
}

/** Makes sure memory reaches `end` (bytes). */
function ensure(end: usize): void {
  const have = <usize>memory.size() << 16;
  if (end <= have) return;
  const pages = <i32>((end - have + 0xffff) >> 16);
  if (memory.grow(pages) < 0) unreachable();
}

/**
 * Lays out the arrays for n ops of which m determinate, and resets the walk:
 * an instance is reused for search after search (a fresh one costs a new
 * memory, whose first pages cost more than a small key's whole search).
 * Returns where the host writes call, ret and code.
 */
export function layout(n_: i32, m_: i32, track: bool): usize {
  entry = -1;
  depth = state = p = hash = 0;
  fresh = true;
  bestDepth = bestLen = bestStuck = -1;
  lowWater = 0;
  atNewBest = false;
  records = 0;
  arenaUsed = 0;
  allowance = 0;
  needed = 0;
  n = n_;
  m = m_;
  trackPrefix = track;
  W = (n + 31) >>> 5;
  let at: usize = 16;
  CALL = at;
  at += <usize>n << 3;
  RET = at;
  at += <usize>n << 3;
  CODE = at;
  at += <usize>(3 * n) << 2;
  Z = at;
  at += <usize>n << 2;
  REACH = at;
  at += <usize>(m + 1) << 2;
  ORDER = at;
  at += <usize>(2 * n) << 2;
  NEXT = at;
  at += <usize>(2 * n + 1) << 2;
  PREV = at;
  at += <usize>(2 * n + 1) << 2;
  BITS = at;
  at += <usize>W << 2;
  STACK_OP = at;
  at += <usize>n << 2;
  STACK_STATE = at;
  at += <usize>n << 2;
  BEST_OPS = at;
  at += <usize>n << 2;
  BEST_STATES = at;
  at += <usize>(n + 1) << 2;
  RETS = at;
  at += <usize>m << 2;
  HEAP = (at + 7) & ~(<usize>7);
  ensure(HEAP);
  memory.fill(BITS, 0, <usize>W << 2);
  return CALL;
}

export function bestOpsAt(): usize {
  return BEST_OPS;
}
export function bestStatesAt(): usize {
  return BEST_STATES;
}
export function bestLength(): i32 {
  return bestLen;
}
export function bestStuckOp(): i32 {
  return bestStuck;
}
/** The first entry of the list (what could not be linearized when no prefix was tracked). */
export function firstEntry(): i32 {
  return i32At(NEXT, 2 * n);
}

/** After the host wrote call, ret and code: the walk's arrays, and the walk at its start from `init`. */
export function prepare(init: i32): void {
  // Zobrist words, as search.ts's zobrist().
  let s: i32 = <i32>0x9e3779b9;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= <i32>(<u32>s >>> 17);
    s ^= s << 5;
    setI32(Z, i, s);
  }
  returnOrder();
  timeOrder();
  relink();
  infoLo = m >>> 5;
  infoWords = n > m ? W - infoLo : 0;
  state = init;
  entry = i32At(NEXT, 2 * n);
}

/**
 * Determinate ops by return time (ties by op), as search.ts's returnOrder: an
 * insertion sort (calls are sorted, so returns are out of order only by the
 * ops running at the same time), or a merge sort when the history nests far
 * more than that.
 */
function returnOrder(): void {
  let moves = 0;
  for (let i = 0; i < m; i++) {
    const t = f64At(RET, i);
    let j = i - 1;
    while (j >= 0 && f64At(RET, i32At(RETS, j)) > t) {
      setI32(RETS, j + 1, i32At(RETS, j));
      j--;
    }
    setI32(RETS, j + 1, i);
    moves += i - 1 - j;
    if (moves > 32 * m + 1024) {
      mergeSortReturns();
      return;
    }
  }
}

@inline function returnsBefore(x: i32, y: i32): bool {
  const a = f64At(RET, x);
  const b = f64At(RET, y);
  return a < b || (a == b && x < y);
}

/** Bottom-up merge sort of 0..m-1 by (ret, op) into RETS, with STACK_OP (unused before the walk) as scratch. */
function mergeSortReturns(): void {
  let from = RETS;
  let to = STACK_OP;
  for (let i = 0; i < m; i++) setI32(from, i, i);
  for (let width = 1; width < m; width *= 2) {
    for (let lo = 0; lo < m; lo += 2 * width) {
      const mid = min(lo + width, m);
      const hi = min(lo + 2 * width, m);
      let a = lo;
      let b = mid;
      for (let k = lo; k < hi; k++) {
        if (a < mid && (b >= hi || !returnsBefore(i32At(from, b), i32At(from, a)))) setI32(to, k, i32At(from, a++));
        else setI32(to, k, i32At(from, b++));
      }
    }
    const t = from;
    from = to;
    to = t;
  }
  if (from != RETS) memory.copy(RETS, from, <usize>m << 2);
}

/**
 * Calls and returns in time order (calls first at equal times), as search.ts's
 * timeOrder, and reach[i] on the way: when determinate op i's return is
 * placed, the determinate calls placed so far are exactly those at or before
 * it, so the last of them is the last op invoked by i's return.
 */
function timeOrder(): void {
  let k = 0;
  let ci = 0;
  let ii = m;
  let ri = 0;
  while (ci < m || ii < n || ri < m) {
    const determinate = ci < m && (ii >= n || f64At(CALL, ci) <= f64At(CALL, ii));
    const c = determinate ? ci : ii < n ? ii : -1;
    if (c !== -1 && (ri >= m || f64At(CALL, c) <= f64At(RET, i32At(RETS, ri)))) {
      setI32(ORDER, k++, c);
      if (determinate) ci++;
      else ii++;
    } else {
      const r = i32At(RETS, ri++);
      setI32(REACH, r, max(ci - 1, r));
      setI32(ORDER, k++, n + r);
    }
  }
  for (let i = m; i < n; i++) setI32(ORDER, k++, n + i);
  setI32(REACH, m, m - 1);
}

function relink(): void {
  const HEAD = 2 * n;
  let last = HEAD;
  setI32(PREV, HEAD, -1);
  for (let k = 0; k < 2 * n; k++) {
    const e = i32At(ORDER, k);
    setI32(NEXT, last, e);
    setI32(PREV, e, last);
    last = e;
  }
  setI32(NEXT, last, -1);
}

@inline function step(i: i32, s: i32): i32 {
  const at = CODE + (<usize>(3 * i) << 2);
  const kind = load<i32>(at);
  const a = load<i32>(at, 4);
  if (kind == READ) return s == a ? s : ILLEGAL;
  if (kind == WRITE) return a;
  if (kind == CAS_OK) return s == a ? load<i32>(at, 8) : ILLEGAL;
  return s == a ? load<i32>(at, 8) : s; // CAS_INFO
}

/** The cache's first region: room for `slots` records and a bucket table of 2 * slots. */
function allocateCache(): bool {
  let slots = 16;
  while (slots < n + 1 && slots < MAX_INITIAL_SLOTS) slots *= 2;
  const recordWords = RECORD_HEADER + 2 + infoWords;
  const arenaWords = slots * recordWords;
  if (!take(arenaWords + 2 * slots)) return false;
  arenaAt = HEAP;
  arenaCap = <usize>arenaWords << 2;
  arenaUsed = 0;
  slotCap = slots;
  placeBuckets();
  return true;
}

/** The bucket table (2 * slotCap) after the arena, rebuilt from the records. */
function placeBuckets(): void {
  bucketsAt = arenaAt + arenaCap;
  const count = 2 * slotCap;
  ensure(bucketsAt + (<usize>count << 2));
  memory.fill(bucketsAt, 0xff, <usize>count << 2);
  mask = count - 1;
  let r: usize = 0;
  while (r < arenaUsed) {
    const at = arenaAt + r;
    const b = load<i32>(at) & mask;
    store<i32>(at, i32At(bucketsAt, b), 12);
    setI32(bucketsAt, b, <i32>r);
    r += <usize>(RECORD_HEADER + load<i32>(at, 16)) << 2;
  }
}

/** Adds (bits, state) with first unlinearized op q; 0 if it was there, 1 if added, -1 (nothing changed) if it needs more words than granted. */
function cacheAdd(h: i32, st: i32, q: i32): i32 {
  const key = h ^ ((st + 1) * <i32>0x9e3779b1) ^ ((q + 1) * <i32>0x85ebca6b);
  const lo = q >>> 5;
  const hi = q < m ? i32At(REACH, q) >>> 5 : -1;
  const len = (hi >= lo ? hi - lo + 1 : 0) + infoWords;
  for (let r = i32At(bucketsAt, key & mask); r != -1; ) {
    const at = arenaAt + <usize>r;
    if (load<i32>(at) == key && load<i32>(at, 8) == st && load<i32>(at, 4) == q) {
      let o = at + (<usize>RECORD_HEADER << 2);
      let same = true;
      for (let w = lo; w <= hi; w++, o += 4) {
        if (load<i32>(o) != i32At(BITS, w)) {
          same = false;
          break;
        }
      }
      if (same) {
        for (let w = infoLo; w < infoLo + infoWords; w++, o += 4) {
          if (load<i32>(o) != i32At(BITS, w)) {
            same = false;
            break;
          }
        }
      }
      if (same) return 0;
    }
    r = load<i32>(at, 12);
  }
  const bytes = <usize>(RECORD_HEADER + len) << 2;
  if (records == slotCap || arenaUsed + bytes > arenaCap) {
    // Grow as JsWalk does: slots double, the arena doubles until the record fits.
    let extra = 0;
    let newSlots = slotCap;
    if (records == slotCap) {
      newSlots = slotCap * 2;
      extra += slotCap * 2; // the larger bucket table
    }
    let cap = arenaCap;
    while (arenaUsed + bytes > cap) cap *= 2;
    extra += <i32>((cap - arenaCap) >> 2);
    if (!take(extra)) return -1;
    const grewSlots = newSlots != slotCap;
    const oldBuckets = bucketsAt;
    arenaCap = cap;
    slotCap = newSlots;
    if (grewSlots) placeBuckets();
    else {
      // Only the arena grew: the table moves up past it unchanged (its entries are arena offsets).
      bucketsAt = arenaAt + arenaCap;
      ensure(bucketsAt + (<usize>(2 * slotCap) << 2));
      memory.copy(bucketsAt, oldBuckets, <usize>(2 * slotCap) << 2);
    }
  }
  const at = arenaAt + arenaUsed;
  store<i32>(at, key);
  store<i32>(at, q, 4);
  store<i32>(at, st, 8);
  store<i32>(at, len, 16);
  let o = at + (<usize>RECORD_HEADER << 2);
  for (let w = lo; w <= hi; w++, o += 4) store<i32>(o, i32At(BITS, w));
  for (let w = infoLo; w < infoLo + infoWords; w++, o += 4) store<i32>(o, i32At(BITS, w));
  const b = key & mask;
  store<i32>(at, i32At(bucketsAt, b), 12);
  setI32(bucketsAt, b, <i32>arenaUsed);
  arenaUsed += bytes;
  records++;
  return 1;
}

/**
 * Walks until an outcome (OK, STUCK), at most `steps` steps (PAUSED), or
 * until the cache needs more words than granted (NEED_WORDS, with the walk
 * where it was: call again after grant()).
 */
export function run(steps: i32): i32 {
  const HEAD = 2 * n;
  if (n == 0) return OK;
  if (fresh) {
    if (!allocateCache()) return NEED_WORDS;
    fresh = false;
  }
  let iterations = 0;
  while (i32At(NEXT, HEAD) != -1) {
    if (++iterations > steps) return PAUSED;
    if (entry < n) {
      const newState = step(entry, state);
      if (newState != ILLEGAL) {
        const word = entry >>> 5;
        const bit = 1 << (entry & 31);
        setI32(BITS, word, i32At(BITS, word) | bit);
        const h = hash ^ i32At(Z, entry);
        let q = p;
        if (entry == p) while (q < m && (i32At(BITS, q >>> 5) & (1 << (q & 31))) != 0) q++;
        const added = cacheAdd(h, newState, q);
        if (added < 0) {
          // Undone, so that the next run() retries this very step.
          setI32(BITS, word, i32At(BITS, word) & ~bit);
          return NEED_WORDS;
        }
        if (added > 0) {
          hash = h;
          p = q;
          setI32(STACK_OP, depth, entry);
          setI32(STACK_STATE, depth, state);
          depth++;
          if (depth > bestDepth) {
            bestDepth = depth;
            atNewBest = true;
          }
          state = newState;
          // Lift: unlink the op's call and return entries.
          const r = entry + n;
          const ne = i32At(NEXT, entry);
          setI32(NEXT, i32At(PREV, entry), ne);
          if (ne != -1) setI32(PREV, ne, i32At(PREV, entry));
          const nr = i32At(NEXT, r);
          setI32(NEXT, i32At(PREV, r), nr);
          if (nr != -1) setI32(PREV, nr, i32At(PREV, r));
          entry = i32At(NEXT, HEAD);
          continue;
        }
        setI32(BITS, word, i32At(BITS, word) & ~bit);
      }
      entry = i32At(NEXT, entry);
    } else {
      // A return entry: its op has not been linearized yet, so this path is dead.
      if (atNewBest && trackPrefix) {
        memory.copy(BEST_OPS + (<usize>lowWater << 2), STACK_OP + (<usize>lowWater << 2), <usize>(depth - lowWater) << 2);
        memory.copy(BEST_STATES + (<usize>lowWater << 2), STACK_STATE + (<usize>lowWater << 2), <usize>(depth - lowWater) << 2);
        setI32(BEST_STATES, depth, state);
        bestLen = depth;
        bestStuck = entry - n;
        lowWater = depth;
        atNewBest = false;
      }
      if (depth == 0) break;
      depth--;
      if (depth < lowWater) lowWater = depth;
      const c = i32At(STACK_OP, depth);
      state = i32At(STACK_STATE, depth);
      setI32(BITS, c >>> 5, i32At(BITS, c >>> 5) & ~(1 << (c & 31)));
      hash ^= i32At(Z, c);
      if (c < p) p = c;
      // Unlift: relink the op's return, then its call.
      const r = c + n;
      setI32(NEXT, i32At(PREV, r), r);
      const nr = i32At(NEXT, r);
      if (nr != -1) setI32(PREV, nr, r);
      setI32(NEXT, i32At(PREV, c), c);
      const nc = i32At(NEXT, c);
      if (nc != -1) setI32(PREV, nc, c);
      entry = nc;
    }
  }
  return i32At(NEXT, HEAD) == -1 ? OK : STUCK;
}

// ---- Rule 3 of reduce.ts ---------------------------------------------------
// Info writes and cas ops whose value no op that could follow them observes
// are dropped, until nothing changes: reduce.ts's fixpoint (jsRule3) on the
// same arrays. In a cold check the JavaScript loop ran in the interpreter,
// which boxes every time it reads (ns times are doubles), and its garbage
// filled the young generation. The instance's memory is the search's: a
// search's layout() overwrites it.
//   [observes i32[n], writes i32[n], call f64[n], ret f64[n], alive u8[n]] [last f64[values]]
let R_OBSERVES: usize = 0;
let R_WRITES: usize = 0;
let R_CALL: usize = 0;
let R_RET: usize = 0;
let R_ALIVE: usize = 0;
let R_LAST: usize = 0;

/** Lays out rule 3's arrays for n ops; returns where the host writes observes (then writes, call, ret). */
export function reduceLayout(n_: i32): usize {
  const nn = <usize>n_;
  R_OBSERVES = 16;
  R_WRITES = R_OBSERVES + (nn << 2);
  R_CALL = R_WRITES + (nn << 2);
  R_RET = R_CALL + (nn << 3);
  R_ALIVE = R_RET + (nn << 3);
  R_LAST = (R_ALIVE + nn + 7) & ~(<usize>7);
  ensure(R_LAST);
  return R_OBSERVES;
}

/** Runs rule 3 on the n ops the host wrote, their value ids below `values`; returns how many survive (alive[i] = 1), alive at reduceAliveAt(). */
export function reduceRun(n_: i32, values: i32): i32 {
  ensure(R_LAST + (<usize>values << 3));
  memory.fill(R_ALIVE, 1, <usize>n_);
  // Only the values these ops observe or write are read: reset those.
  for (let i = 0; i < n_; i++) {
    const o = i32At(R_OBSERVES, i);
    if (o != -1) store<f64>(R_LAST + (<usize>o << 3), -Infinity);
    const w = i32At(R_WRITES, i);
    if (w != -1) store<f64>(R_LAST + (<usize>w << 3), -Infinity);
  }
  let survivors = n_;
  for (let dropped = 1; dropped > 0; ) {
    // For each value, the latest return among the live ops observing it.
    for (let i = 0; i < n_; i++) {
      const o = i32At(R_OBSERVES, i);
      if (o == -1 || load<u8>(R_ALIVE + <usize>i) == 0) continue;
      const r = f64At(R_RET, i);
      const at = R_LAST + (<usize>o << 3);
      if (r > load<f64>(at)) store<f64>(at, r);
    }
    dropped = 0;
    for (let i = 0; i < n_; i++) {
      const w = i32At(R_WRITES, i);
      if (w == -1 || load<u8>(R_ALIVE + <usize>i) == 0) continue;
      if (load<f64>(R_LAST + (<usize>w << 3)) < f64At(R_CALL, i)) {
        store<u8>(R_ALIVE + <usize>i, 0);
        dropped++;
      }
    }
    survivors -= dropped;
    for (let i = 0; i < n_; i++) {
      const o = i32At(R_OBSERVES, i);
      if (o != -1) store<f64>(R_LAST + (<usize>o << 3), -Infinity);
    }
  }
  return survivors;
}

export function reduceAliveAt(): usize {
  return R_ALIVE;
}
