// Wing–Gong linearizability search with Lowe's just-in-time linearization and
// memoization, the algorithm of Porcupine's checkSingle, on typed arrays:
//
// - The history of one key is a doubly linked list of call and return entries
//   in time order (calls before returns at equal times: intervals are closed,
//   so touching operations count as concurrent, which can only make us more
//   lenient, never cry wolf). Info operations return at infinity.
// - Walking the list, a call entry whose operation is legal in the current
//   state is "lifted" (its call and return are unlinked) and the walk restarts
//   at the head. Reaching a return entry means that operation must already
//   have been linearized, so we backtrack: pop the last lifted op, unlift it,
//   and try the entry after it.
// - A cache of (set of linearized ops, state) pairs prunes configurations
//   already explored: from the same set and state the future is the same.
//   The set is a bitset; its hash is Zobrist (xor of one random word per op),
//   updated in O(1) on lift/unlift.
//
// The cache stores the linearized set compactly. Number the determinate ops
// by call time (0..m-1) and the indeterminate (info) ops after them. Let p be
// the first determinate op not yet linearized. Every op numbered below p is
// linearized, and no determinate op invoked after p returned can be (p would
// have to precede it), so the set is exactly: p, the bits between p and
// reach[p] (the last op invoked by p's return), and the few info bits. A
// cache entry holds only those words, so its size follows the concurrency of
// the history, not its length (a 50,000-op single-key history would
// otherwise store 6 KB per entry).
//
// Memory is bounded by `budget.maxCacheWords`: when the cache would outgrow
// it, the search stops with 'unknown' instead of running out of memory.
import { CompiledOp, ILLEGAL, ValueTable } from './model.ts';
import type { Operation, Value } from './types.ts';

export interface SearchBudget {
  /** performance.now() deadline. */
  deadline: number;
  /** Words (4 bytes) of bitsets the cache may hold, shared by every search using this budget. */
  maxCacheWords: number;
  usedCacheWords: number;
}

export type SearchOutcome =
  | { result: 'ok' }
  | { result: 'unknown'; reason: 'timeout' | 'memory' }
  | {
      result: 'illegal';
      /** Longest linearized prefix: ops in order, with the state (value) after each. */
      prefix: { op: Operation; before: Value; after: Value }[];
      /** The op whose return was reached without it being linearizable after that prefix. */
      stuck: Operation;
    };

export function newBudget(timeoutMs: number, maxCacheBytes = 384 * 1024 * 1024): SearchBudget {
  return { deadline: performance.now() + timeoutMs, maxCacheWords: Math.floor(maxCacheBytes / 4), usedCacheWords: 0 };
}

// Deterministic Zobrist words: the same history always hashes the same way.
function zobrist(n: number): Int32Array {
  const z = new Int32Array(n);
  let s = 0x9e3779b9 | 0;
  for (let i = 0; i < n; i++) {
    // xorshift32
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    z[i] = s;
  }
  return z;
}

export function searchKey(inputOps: Operation[], initial: Value, budget: SearchBudget, trackPrefix = true): SearchOutcome {
  const n = inputOps.length;
  if (n === 0) return { result: 'ok' };
  // Determinate ops by call time (ties by id), then info ops: see the note on the cache above.
  const byCall = (x: Operation, y: Operation) => x.call - y.call || x.id - y.id;
  const ops = inputOps.filter((o) => o.return !== Infinity).sort(byCall);
  const m = ops.length;
  for (const o of inputOps) if (o.return === Infinity) ops.push(o);
  const reach = new Int32Array(m + 1);
  for (let i = 0; i < m; i++) {
    // last j < m with ops[j].call <= ops[i].return (binary search; calls are sorted)
    let lo = i;
    let hi = m - 1;
    const r = ops[i].return;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (ops[mid].call <= r) lo = mid;
      else hi = mid - 1;
    }
    reach[i] = lo;
  }
  reach[m] = m - 1;
  const startWords = budget.usedCacheWords;
  const table = new ValueTable();
  const init = table.id(initial);
  const compiled = ops.map((op) => new CompiledOp(op, table));

  // Entries: 0..n-1 are calls of op i, n..2n-1 are returns of op i-n; head sentinel is 2n.
  const order = new Int32Array(2 * n);
  for (let i = 0; i < 2 * n; i++) order[i] = i;
  const time = (e: number): number => (e < n ? ops[e].call : ops[e - n].return);
  const sorted = Array.from(order).sort((x, y) => {
    const d = time(x) - time(y);
    if (d !== 0 && !Number.isNaN(d)) return d < 0 ? -1 : 1;
    const cx = x < n ? 0 : 1;
    const cy = y < n ? 0 : 1;
    if (cx !== cy) return cx - cy; // calls first at equal times
    return x - y;
  });
  const HEAD = 2 * n;
  const next = new Int32Array(2 * n + 1).fill(-1);
  const prev = new Int32Array(2 * n + 1).fill(-1);
  let last = HEAD;
  for (const e of sorted) {
    next[last] = e;
    prev[e] = last;
    last = e;
  }

  const lift = (c: number): void => {
    const r = c + n;
    next[prev[c]] = next[c];
    if (next[c] !== -1) prev[next[c]] = prev[c];
    next[prev[r]] = next[r];
    if (next[r] !== -1) prev[next[r]] = prev[r];
  };
  const unlift = (c: number): void => {
    const r = c + n;
    next[prev[r]] = r;
    if (next[r] !== -1) prev[next[r]] = r;
    next[prev[c]] = c;
    if (next[c] !== -1) prev[next[c]] = c;
  };

  // Cache: an open hash table of chains on typed arrays (a JS Map costs ~50
  // bytes an entry and caps at 2^24 entries). Each slot holds the full hash,
  // p, the state, the next slot in its chain, and the window words in the arena.
  const W = (n + 31) >>> 5;
  const z = zobrist(n);
  const bits = new Uint32Array(W);
  let hash = 0;
  const infoLo = m >>> 5;
  const infoWords = n > m ? W - infoLo : 0;
  let slotCap = 256;
  let mask = 511;
  let buckets = new Int32Array(mask + 1).fill(-1);
  let slotHash = new Int32Array(slotCap);
  let slotP = new Int32Array(slotCap);
  let slotState = new Int32Array(slotCap);
  let slotNext = new Int32Array(slotCap);
  let slotOff = new Int32Array(slotCap);
  let arena = new Uint32Array(4096);
  let arenaUsed = 0;
  let slots = 0;
  const SLOT_OVERHEAD_WORDS = 7; // hash, p, state, next, offset, ~2 bucket words
  budget.usedCacheWords += slotCap * SLOT_OVERHEAD_WORDS + arena.length;
  const reserve = (words: number): void => {
    if (budget.usedCacheWords + words > budget.maxCacheWords) throw MEMORY;
    budget.usedCacheWords += words;
  };

  const growSlots = (): void => {
    reserve(slotCap * SLOT_OVERHEAD_WORDS);
    const cap = slotCap * 2;
    const copy = (a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    slotHash = copy(slotHash);
    slotP = copy(slotP);
    slotState = copy(slotState);
    slotNext = copy(slotNext);
    slotOff = copy(slotOff);
    slotCap = cap;
    // Rehash into a table twice the slot capacity.
    mask = cap * 2 - 1;
    buckets = new Int32Array(mask + 1).fill(-1);
    for (let s = 0; s < slots; s++) {
      const i = slotHash[s] & mask;
      slotNext[s] = buckets[i];
      buckets[i] = s;
    }
  };
  const growArena = (need: number): void => {
    let cap = arena.length * 2;
    while (cap < arenaUsed + need) cap *= 2;
    reserve(cap - arena.length);
    const na = new Uint32Array(cap);
    na.set(arena.subarray(0, arenaUsed));
    arena = na;
  };

  // Window of the linearized set for first-unlinearized determinate op q: words [lo, hi] plus the info words.
  const windowLo = (q: number): number => q >>> 5;
  const windowHi = (q: number): number => (q < m ? reach[q] >>> 5 : -1);

  // Returns true if (bits, state) was new and has been added; q is p for the tentative set.
  const cacheAdd = (h: number, state: number, q: number): boolean => {
    const key = (h ^ Math.imul(state + 1, 0x9e3779b1) ^ Math.imul(q + 1, 0x85ebca6b)) | 0;
    const bucket = key & mask;
    const lo = windowLo(q);
    const hi = windowHi(q);
    for (let s = buckets[bucket]; s !== -1; s = slotNext[s]) {
      if (slotHash[s] !== key || slotState[s] !== state || slotP[s] !== q) continue;
      let o = slotOff[s];
      let same = true;
      for (let w = lo; w <= hi; w++, o++) {
        if (arena[o] !== bits[w]) {
          same = false;
          break;
        }
      }
      if (same) {
        for (let w = infoLo; w < infoLo + infoWords; w++, o++) {
          if (arena[o] !== bits[w]) {
            same = false;
            break;
          }
        }
      }
      if (same) return false;
    }
    if (slots === slotCap) growSlots();
    const len = (hi >= lo ? hi - lo + 1 : 0) + infoWords;
    if (arenaUsed + len > arena.length) growArena(len);
    slotHash[slots] = key;
    slotState[slots] = state;
    slotP[slots] = q;
    slotOff[slots] = arenaUsed;
    for (let w = lo; w <= hi; w++) arena[arenaUsed++] = bits[w];
    for (let w = infoLo; w < infoLo + infoWords; w++) arena[arenaUsed++] = bits[w];
    const b = key & mask;
    slotNext[slots] = buckets[b];
    buckets[b] = slots;
    slots++;
    return true;
  };
  const isSet = (i: number): boolean => (bits[i >>> 5] & (1 << (i & 31))) !== 0;
  let p = 0; // first determinate op not linearized (m when all are)

  const stackOp = new Int32Array(n);
  const stackState = new Int32Array(n);
  let depth = 0;
  let state = init;
  let bestDepth = -1;
  let bestSnapshot: { ops: Int32Array; states: Int32Array; stuck: number } | null = null;
  let atNewBest = false;
  let iterations = 0;
  
  try {
    let entry = next[HEAD];
    while (next[HEAD] !== -1) {
      if ((++iterations & 0xfff) === 0 && performance.now() > budget.deadline) return { result: 'unknown', reason: 'timeout' };
      if (entry < n) {
        const newState = compiled[entry].step(state);
        if (newState !== ILLEGAL) {
          const word = entry >>> 5;
          const bit = 1 << (entry & 31);
          bits[word] |= bit;
          const h = hash ^ z[entry];
          let q = p;
          if (entry === p) while (q < m && isSet(q)) q++;
          if (cacheAdd(h, newState, q)) {
            hash = h;
            p = q;
            stackOp[depth] = entry;
            stackState[depth] = state;
            depth++;
            if (depth > bestDepth) {
              bestDepth = depth;
              atNewBest = true;
            }
            state = newState;
            lift(entry);
            entry = next[HEAD];
            continue;
          }
          bits[word] &= ~bit;
        }
        entry = next[entry];
      } else {
        // A return entry: its op has not been linearized yet, so this path is dead.
        if (atNewBest && trackPrefix) {
          bestSnapshot = { ops: stackOp.slice(0, depth), states: stackState.slice(0, depth + 1), stuck: entry - n };
          bestSnapshot.states[depth] = state;
          atNewBest = false;
        }
        if (depth === 0) break;
        depth--;
        const c = stackOp[depth];
        state = stackState[depth];
        bits[c >>> 5] &= ~(1 << (c & 31));
        hash ^= z[c];
        if (c < p) p = c;
        unlift(c);
        entry = next[c];
      }
    }
  } catch (e) {
    if (e === MEMORY) return { result: 'unknown', reason: 'memory' };
    throw e;
  } finally {
    budget.usedCacheWords = startWords; // this search's cache is garbage now
  }
  if (next[HEAD] === -1) return { result: 'ok' };
  const snap = bestSnapshot ?? { ops: new Int32Array(0), states: Int32Array.of(init), stuck: next[HEAD] < n ? next[HEAD] : next[HEAD] - n };
  const prefix = Array.from(snap.ops, (o, i) => ({ op: ops[o], before: table.values[snap.states[i]], after: table.values[snap.states[i + 1]] }));
  return { result: 'illegal', prefix, stuck: ops[snap.stuck] };
}

const MEMORY = new Error('linearizability cache budget exhausted');
