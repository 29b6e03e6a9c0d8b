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
// A search pauses at its deadline and resumes where it stopped (KeySearch.run),
// so the per-key time slices of check.ts cost nothing but the switch. Memory
// is bounded by `budget.maxCacheWords`, shared by the searches of one check:
// when a cache would outgrow it, the budget may reclaim paused searches'
// caches (they start over when resumed); failing that, the search ends with
// 'unknown' instead of running out of memory.
import { KernelWalk } from './kernel/kernelWalk.ts';
import { CompiledOps, ILLEGAL, ValueTable } from './model.ts';
import type { Operation, Value } from './types.ts';

export interface SearchBudget {
  /** performance.now() deadline, for searchKey. */
  deadline: number;
  /** Words (4 bytes) of cache the searches using this budget may hold together. */
  maxCacheWords: number;
  usedCacheWords: number;
  /** Asked when `asking` would outgrow the budget: frees some other search's cache; false when there is none to free. */
  reclaim?: (asking: KeySearch) => boolean;
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

export const DEFAULT_MAX_CACHE_BYTES = 384 * 1024 * 1024;

export function newBudget(timeoutMs: number, maxCacheBytes = DEFAULT_MAX_CACHE_BYTES): SearchBudget {
  return { deadline: performance.now() + timeoutMs, maxCacheWords: Math.floor(maxCacheBytes / 4), usedCacheWords: 0 };
}

/** One key searched to the end: ok, illegal, or unknown at the budget's deadline or memory limit. */
export function searchKey(inputOps: Operation[], initial: Value, budget: SearchBudget, trackPrefix = true, table?: ValueTable): SearchOutcome {
  const search = new KeySearch(inputOps, initial, budget, trackPrefix, 'kernel', table);
  const outcome = search.run(budget.deadline);
  if (outcome !== null) return outcome;
  search.release();
  return { result: 'unknown', reason: 'timeout' };
}

const byCall = (x: Operation, y: Operation): number => x.call - y.call || x.id - y.id;

// Deterministic Zobrist words: the same history always hashes the same way.
function zobrist(z: Int32Array): Int32Array {
  let s = 0x9e3779b9 | 0;
  for (let i = 0; i < z.length; i++) {
    // xorshift32
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    z[i] = s;
  }
  return z;
}

const MEMORY = new Error('linearizability cache budget exhausted');
/** Cache slots a search starts with, at most: small keys (the many of a many-key history) start smaller. */
const MAX_INITIAL_SLOTS = 256;
const SLOT_OVERHEAD_WORDS = 7; // hash, p, state, next, offset, ~2 bucket words
const EMPTY: Int32Array<ArrayBuffer> = new Int32Array(0);

/** What KeySearch delegates to: the walk in JavaScript below, or its WebAssembly build (kernelWalk.ts). */
export interface Walk {
  /** Cache words this walk holds of the budget. */
  readonly heldWords: number;
  run(deadline: number): SearchOutcome | null;
  release(): void;
}

/** Which walk a search uses: the WebAssembly one where it applies (the default), or the JavaScript one. */
export type WalkEngine = 'kernel' | 'js';

/**
 * A key's ops in the walks' order: determinate ops by call time (ties by id),
 * then info ops. Histories come in invoke order, so the sorts are skipped when
 * a pass finds them sorted: a cold process would run their comparators in the
 * interpreter.
 */
function walkOrder(inputOps: Operation[]): { ops: Operation[]; m: number } {
  // One array at its size, determinate ops from the front and info ops from the back (growing
  // two by push, then concatenating, allocated several times the ops in a cold check).
  const n = inputOps.length;
  const ops: Operation[] = new Array(n);
  let m = 0;
  let back = n;
  let sorted = true;
  for (let i = 0; i < n; i++) {
    const o = inputOps[i];
    if (o.return === Infinity) ops[--back] = o;
    else {
      if (sorted && m > 0) {
        const last = ops[m - 1];
        if (last.call > o.call || (last.call === o.call && last.id > o.id)) sorted = false; // byCall(last, o) > 0, inline
      }
      ops[m++] = o;
    }
  }
  // The info ops came in reversed; reversed back, they are in the input's order.
  for (let i = m, j = n - 1; i < j; i++, j--) {
    const t = ops[i];
    ops[i] = ops[j];
    ops[j] = t;
  }
  if (sorted) {
    for (let i = m + 1; i < n && sorted; i++) if (byCall(ops[i - 1], ops[i]) > 0) sorted = false;
  }
  if (!sorted) {
    const det = ops.slice(0, m).sort(byCall);
    const info = ops.slice(m).sort(byCall);
    for (let i = 0; i < m; i++) ops[i] = det[i];
    for (let i = m; i < n; i++) ops[i] = info[i - m];
  }
  return { ops, m };
}

function hasAppends(ops: Operation[]): boolean {
  for (let i = 0; i < ops.length; i++) if (ops[i].f === 'append') return true;
  return false;
}

/** What both walks are built from. */
export interface WalkInput {
  /** Determinate ops 0..m-1 by call time, then info ops. */
  ops: Operation[];
  m: number;
  table: ValueTable;
  /** Id of the initial value in `table`. */
  init: number;
  budget: SearchBudget;
  trackPrefix: boolean;
  /** The search the walk belongs to: what the budget's reclaim must spare. */
  owner: KeySearch;
}

/** The search of one key, resumable: run() until an outcome, pausing at deadlines in between. */
export class KeySearch {
  private readonly walk: Walk;

  /**
   * `shared`: a value table the searches of one check share (each value then
   * costs one Map entry per check, not one per search); a key with appends
   * gets its own anyway, because its fresh states must not reach other keys.
   */
  constructor(inputOps: Operation[], initial: Value, budget: SearchBudget, trackPrefix = true, engine: WalkEngine = 'kernel', shared?: ValueTable) {
    const { ops, m } = walkOrder(inputOps);
    const appends = hasAppends(ops);
    const table = shared !== undefined && !appends ? shared : new ValueTable();
    const init = table.id(initial);
    const input: WalkInput = { ops, m, table, init, budget, trackPrefix, owner: this };
    // The kernel compares states by id, which appends' fresh ids would defeat (see ValueTable.hasFresh).
    // It compiles the ops straight into its memory; the JavaScript walk steps them through CompiledOps.
    this.walk = engine === 'kernel' && !appends ? new KernelWalk(input) : new JsWalk(input, new CompiledOps(ops, table));
  }

  /** Cache words this search holds of the budget. */
  get heldWords(): number {
    return this.walk.heldWords;
  }

  /** Searches until an outcome (returned, and kept) or `deadline` (performance.now()), where it pauses and returns null. */
  run(deadline: number): SearchOutcome | null {
    return this.walk.run(deadline);
  }

  /** Gives the cache back to the budget. A search that has an outcome needs no more; a paused one starts over. */
  release(): void {
    this.walk.release();
  }
}

/** Takes `words` from the budget for `owner`'s walk, reclaiming other searches' caches if need be; false when it cannot. */
export function reserveWords(budget: SearchBudget, owner: KeySearch, words: number): boolean {
  while (budget.usedCacheWords + words > budget.maxCacheWords) {
    if (budget.reclaim === undefined || !budget.reclaim(owner)) return false;
  }
  budget.usedCacheWords += words;
  return true;
}

/** The walk in JavaScript: the reference for the kernel, and the walk of keys with appends. */
class JsWalk implements Walk {
  private readonly n: number;
  /** Determinate ops (those that returned): 0..m-1 by call time; info ops m..n-1. */
  private readonly m: number;
  private readonly ops: Operation[];
  private readonly table: ValueTable;
  private readonly compiled: CompiledOps;
  private readonly init: number;
  private readonly budget: SearchBudget;
  private readonly trackPrefix: boolean;
  private readonly owner: KeySearch;
  /** reach[i]: the last determinate op invoked by op i's return (see the note on the cache). */
  private readonly reach: Int32Array;
  /** Entries in time order (0..n-1 calls, n..2n-1 returns), to relink the list on reset(). */
  private readonly order: Int32Array;
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  private readonly z: Int32Array;
  private readonly bits: Uint32Array;
  private readonly infoLo: number;
  private readonly infoWords: number;
  private readonly stackOp: Int32Array;
  private readonly stackState: Int32Array;

  // The cache: an open hash table of chains on typed arrays (a JS Map costs
  // ~50 bytes an entry and caps at 2^24 entries). Each slot holds the full
  // hash, p, the state, the next slot in its chain, and the window words in
  // the arena. Allocated on first run, dropped by release().
  private mask = 0;
  private buckets = EMPTY;
  private slotHash = EMPTY;
  private slotP = EMPTY;
  private slotState = EMPTY;
  private slotNext = EMPTY;
  private slotOff = EMPTY;
  private arena = new Uint32Array(0);
  private arenaUsed = 0;
  private slots = 0;
  /** Cache words this search holds of the budget. */
  heldWords = 0;

  // Where the walk stands between runs.
  private entry = -1;
  private depth = 0;
  private state = 0;
  private p = 0; // first determinate op not linearized (m when all are)
  private hash = 0;
  private fresh = true;
  private outcome: SearchOutcome | null = null;

  // The longest prefix seen at a dead end, kept incrementally: bestOps[0..lowWater)
  // still equals the stack, so a new best copies only what changed since the last.
  private readonly bestOps: Int32Array;
  private readonly bestStates: Int32Array;
  private bestDepth = -1;
  /** Length and stuck op of the kept prefix; -1 before the first dead end. */
  private bestLen = -1;
  private bestStuck = -1;
  private lowWater = 0;
  private atNewBest = false;

  constructor({ ops, m, table, init, budget, trackPrefix, owner }: WalkInput, compiled: CompiledOps) {
    const n = ops.length;
    this.n = n;
    this.m = m;
    this.ops = ops;
    this.table = table;
    this.compiled = compiled;
    this.init = init;
    this.budget = budget;
    this.trackPrefix = trackPrefix;
    this.owner = owner;
    // The search's arrays are views into one buffer: a check of many small
    // keys would otherwise allocate a dozen backing stores per key.
    const W = (n + 31) >>> 5;
    const sizes = [m + 1, 2 * n, 2 * n + 1, 2 * n + 1, n, n, n, trackPrefix ? n : 0, trackPrefix ? n + 1 : 0, W];
    const slab = new ArrayBuffer(4 * sizes.reduce((a, b) => a + b, 0));
    let at = 0;
    const view = (i: number): Int32Array => {
      const v = new Int32Array(slab, at, sizes[i]);
      at += 4 * sizes[i];
      return v;
    };
    const reach = view(0);
    this.order = view(1);
    this.next = view(2);
    this.prev = view(3);
    this.z = zobrist(view(4));
    this.stackOp = view(5);
    this.stackState = view(6);
    this.bestOps = view(7);
    this.bestStates = view(8);
    this.bits = new Uint32Array(slab, at, W);
    const { call, ret } = times(ops);
    for (let i = 0; i < m; i++) {
      // last j < m with call[j] <= ret[i] (binary search; calls are sorted)
      let lo = i;
      let hi = m - 1;
      const r = ret[i];
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if (call[mid] <= r) lo = mid;
        else hi = mid - 1;
      }
      reach[i] = lo;
    }
    reach[m] = m - 1;
    this.reach = reach;
    timeOrder(call, ret, n, m, this.order);
    this.relink();
    this.infoLo = m >>> 5;
    this.infoWords = n > m ? W - this.infoLo : 0;
    this.state = this.init;
    this.entry = this.next[2 * n];
  }

  private relink(): void {
    const { next, prev, order } = this;
    const HEAD = 2 * this.n;
    next.fill(-1);
    prev.fill(-1);
    let last = HEAD;
    for (let k = 0; k < order.length; k++) {
      const e = order[k];
      next[last] = e;
      prev[e] = last;
      last = e;
    }
  }

  private reserve(words: number): void {
    if (!reserveWords(this.budget, this.owner, words)) throw MEMORY;
    this.heldWords += words;
  }

  release(): void {
    this.budget.usedCacheWords -= this.heldWords;
    this.heldWords = 0;
    this.buckets = this.slotHash = this.slotP = this.slotState = this.slotNext = this.slotOff = EMPTY;
    this.arena = new Uint32Array(0);
    this.slots = this.arenaUsed = this.mask = 0;
    if (this.outcome !== null) return;
    // Without its cache the walk cannot resume: start over from an empty stack.
    this.relink();
    this.bits.fill(0);
    this.depth = this.hash = this.p = 0;
    this.state = this.init;
    this.entry = this.next[2 * this.n];
    this.bestDepth = this.bestLen = this.bestStuck = -1;
    this.lowWater = 0;
    this.atNewBest = false;
    this.fresh = true;
  }

  private allocateCache(): void {
    let slots = 16;
    while (slots < this.n + 1 && slots < MAX_INITIAL_SLOTS) slots *= 2;
    const arenaWords = slots * (2 + this.infoWords);
    this.reserve(slots * SLOT_OVERHEAD_WORDS + arenaWords);
    this.slotArrays(slots);
    this.arena = new Uint32Array(arenaWords);
  }

  /** Slot arrays and buckets for `cap` slots, as views into one buffer, the old slots copied over and rehashed. */
  private slotArrays(cap: number): void {
    const slab = new ArrayBuffer(4 * 7 * cap);
    const view = (i: number, len: number) => new Int32Array(slab, 4 * i * cap, len);
    const carry = (old: Int32Array<ArrayBuffer>, i: number): Int32Array<ArrayBuffer> => {
      const v = view(i, cap);
      v.set(old.subarray(0, this.slots));
      return v;
    };
    this.slotHash = carry(this.slotHash, 0);
    this.slotP = carry(this.slotP, 1);
    this.slotState = carry(this.slotState, 2);
    this.slotNext = carry(this.slotNext, 3);
    this.slotOff = carry(this.slotOff, 4);
    // Buckets: twice the slot capacity.
    const mask = cap * 2 - 1;
    const buckets = view(5, 2 * cap).fill(-1);
    const { slotHash, slotNext } = this;
    for (let s = 0; s < this.slots; s++) {
      const i = slotHash[s] & mask;
      slotNext[s] = buckets[i];
      buckets[i] = s;
    }
    this.mask = mask;
    this.buckets = buckets;
  }

  private growSlots(): void {
    const cap = this.slotHash.length * 2;
    this.reserve((cap / 2) * SLOT_OVERHEAD_WORDS);
    this.slotArrays(cap);
  }

  private growArena(need: number): void {
    let cap = this.arena.length * 2;
    while (cap < this.arenaUsed + need) cap *= 2;
    this.reserve(cap - this.arena.length);
    const na = new Uint32Array(cap);
    na.set(this.arena.subarray(0, this.arenaUsed));
    this.arena = na;
  }

  /** Adds (bits, state) with first-unlinearized op q; false if it was there already. */
  private cacheAdd(h: number, state: number, q: number): boolean {
    const { bits, infoLo, infoWords } = this;
    const key = (h ^ Math.imul(state + 1, 0x9e3779b1) ^ Math.imul(q + 1, 0x85ebca6b)) | 0;
    // The window of the linearized set: words [lo, hi] plus the info words.
    const lo = q >>> 5;
    const hi = q < this.m ? this.reach[q] >>> 5 : -1;
    const { slotHash, slotState, slotP, slotOff, slotNext } = this;
    let arena = this.arena;
    for (let s = this.buckets[key & this.mask]; s !== -1; s = slotNext[s]) {
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
    if (this.slots === slotHash.length) this.growSlots();
    const len = (hi >= lo ? hi - lo + 1 : 0) + infoWords;
    if (this.arenaUsed + len > arena.length) {
      this.growArena(len);
      arena = this.arena;
    }
    const s = this.slots++;
    this.slotHash[s] = key;
    this.slotState[s] = state;
    this.slotP[s] = q;
    let used = this.arenaUsed;
    this.slotOff[s] = used;
    for (let w = lo; w <= hi; w++) arena[used++] = bits[w];
    for (let w = infoLo; w < infoLo + infoWords; w++) arena[used++] = bits[w];
    this.arenaUsed = used;
    const b = key & this.mask;
    this.slotNext[s] = this.buckets[b];
    this.buckets[b] = s;
    return true;
  }

  run(deadline: number): SearchOutcome | null {
    if (this.outcome !== null) return this.outcome;
    if (this.n === 0) return this.finish({ result: 'ok' });
    const { n, m, next, prev, bits, z, compiled, stackOp, stackState, trackPrefix } = this;
    const HEAD = 2 * n;
    let { entry, depth, state, p, hash } = this;
    let iterations = 0;
    try {
      if (this.fresh) {
        this.allocateCache();
        this.fresh = false;
      }
      while (next[HEAD] !== -1) {
        if ((++iterations & 0xfff) === 0 && performance.now() > deadline) {
          this.entry = entry;
          this.depth = depth;
          this.state = state;
          this.p = p;
          this.hash = hash;
          return null;
        }
        if (entry < n) {
          const newState = compiled.step(entry, state);
          if (newState !== ILLEGAL) {
            const word = entry >>> 5;
            const bit = 1 << (entry & 31);
            bits[word] |= bit;
            const h = hash ^ z[entry];
            let q = p;
            if (entry === p) while (q < m && (bits[q >>> 5] & (1 << (q & 31))) !== 0) q++;
            if (this.cacheAdd(h, newState, q)) {
              hash = h;
              p = q;
              stackOp[depth] = entry;
              stackState[depth] = state;
              depth++;
              if (depth > this.bestDepth) {
                this.bestDepth = depth;
                this.atNewBest = true;
              }
              state = newState;
              // Lift: unlink the op's call and return entries.
              const r = entry + n;
              next[prev[entry]] = next[entry];
              if (next[entry] !== -1) prev[next[entry]] = prev[entry];
              next[prev[r]] = next[r];
              if (next[r] !== -1) prev[next[r]] = prev[r];
              entry = next[HEAD];
              continue;
            }
            bits[word] &= ~bit;
          }
          entry = next[entry];
        } else {
          // A return entry: its op has not been linearized yet, so this path is dead.
          if (this.atNewBest && trackPrefix) {
            this.bestOps.set(stackOp.subarray(this.lowWater, depth), this.lowWater);
            this.bestStates.set(stackState.subarray(this.lowWater, depth), this.lowWater);
            this.bestStates[depth] = state;
            this.bestLen = depth;
            this.bestStuck = entry - n;
            this.lowWater = depth;
            this.atNewBest = false;
          }
          if (depth === 0) break;
          depth--;
          if (depth < this.lowWater) this.lowWater = depth;
          const c = stackOp[depth];
          state = stackState[depth];
          bits[c >>> 5] &= ~(1 << (c & 31));
          hash ^= z[c];
          if (c < p) p = c;
          // Unlift: relink the op's return, then its call.
          const r = c + n;
          next[prev[r]] = r;
          if (next[r] !== -1) prev[next[r]] = r;
          next[prev[c]] = c;
          if (next[c] !== -1) prev[next[c]] = c;
          entry = next[c];
        }
      }
    } catch (e) {
      if (e === MEMORY) return this.finish({ result: 'unknown', reason: 'memory' });
      throw e;
    }
    if (next[HEAD] === -1) return this.finish({ result: 'ok' });
    const { ops, table } = this;
    const values = table.values;
    if (this.bestStuck === -1) {
      // No prefix tracked: the first entry of the list is what could not be linearized.
      const first = next[HEAD];
      return this.finish({ result: 'illegal', prefix: [], stuck: ops[first < n ? first : first - n] });
    }
    const prefix = Array.from(this.bestOps.subarray(0, this.bestLen), (o, i) => ({ op: ops[o], before: values[this.bestStates[i]], after: values[this.bestStates[i + 1]] }));
    return this.finish({ result: 'illegal', prefix, stuck: ops[this.bestStuck] });
  }

  private finish(outcome: SearchOutcome): SearchOutcome {
    this.outcome = outcome;
    this.release();
    return outcome;
  }
}

/**
 * The call and return entries of ops (their times in `call`, `ret`) in time
 * order, calls before returns at equal times, then by op: a merge of the
 * calls (determinate ones 0..m-1, then info ones, each already by call time)
 * with the determinate returns, and the info returns (at infinity) last.
 */
function timeOrder(call: Float64Array, ret: Float64Array, n: number, m: number, order: Int32Array): void {
  const rets = returnOrder(ret, m);
  let k = 0;
  let ci = 0; // next determinate call
  let ii = m; // next info call
  let ri = 0; // next determinate return
  while (ci < m || ii < n || ri < m) {
    const determinate = ci < m && (ii >= n || call[ci] <= call[ii]);
    const c = determinate ? ci : ii < n ? ii : -1;
    if (c !== -1 && (ri >= m || call[c] <= ret[rets[ri]])) {
      order[k++] = c;
      if (determinate) ci++;
      else ii++;
    } else order[k++] = n + rets[ri++];
  }
  for (let i = m; i < n; i++) order[k++] = n + i;
}

/**
 * Determinate ops 0..m-1 by return time (ties by op). Their calls are sorted,
 * so returns are out of order only by the ops running at the same time: an
 * insertion sort does it in a few moves per op, in a plain loop, unless the
 * history nests far more than that, when a comparison sort takes over.
 */
function returnOrder(ret: Float64Array, m: number): Int32Array {
  if (scratch.rets.length < m) scratch.rets = new Int32Array(2 * m);
  const rets = scratch.rets;
  let moves = 0;
  for (let i = 0; i < m; i++) {
    const t = ret[i];
    let j = i - 1;
    while (j >= 0 && ret[rets[j]] > t) {
      rets[j + 1] = rets[j];
      j--;
    }
    rets[j + 1] = i;
    moves += i - 1 - j;
    if (moves > 32 * m + 1024) {
      const all = Array.from({ length: m }, (_, x) => x).sort((x, y) => ret[x] - ret[y] || x - y);
      rets.set(all);
      break;
    }
  }
  return rets;
}

// Scratch arrays for building a search, reused from key to key (one search is built at a time on a thread).
const scratch = { call: new Float64Array(0), ret: new Float64Array(0), rets: new Int32Array(0) };

/** The ops' call and return times, in scratch arrays valid until the next search is built. */
function times(ops: Operation[]): { call: Float64Array; ret: Float64Array } {
  const n = ops.length;
  if (scratch.call.length < n) {
    scratch.call = new Float64Array(2 * n);
    scratch.ret = new Float64Array(2 * n);
  }
  const { call, ret } = scratch;
  for (let i = 0; i < n; i++) {
    call[i] = ops[i].call;
    ret[i] = ops[i].return;
  }
  return { call, ret };
}
