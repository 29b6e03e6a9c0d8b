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

export function newBudget(timeoutMs: number, maxCacheBytes = 512 * 1024 * 1024): SearchBudget {
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

export function searchKey(ops: Operation[], initial: Value, budget: SearchBudget, trackPrefix = true): SearchOutcome {
  const n = ops.length;
  if (n === 0) return { result: 'ok' };
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
  let p = HEAD;
  for (const e of sorted) {
    next[p] = e;
    prev[e] = p;
    p = e;
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

  // Cache: hash -> chain of slots; each slot holds a state and a bitset copy in the arena.
  const W = (n + 31) >>> 5;
  const z = zobrist(n);
  const bits = new Uint32Array(W);
  let hash = 0;
  const buckets = new Map<number, number>();
  let slotCap = 1024;
  let slotState = new Int32Array(slotCap);
  let slotNext = new Int32Array(slotCap);
  let arena = new Uint32Array(slotCap * W);
  let slots = 0;

  // Returns true if (bits, state) was new and has been added.
  const cacheAdd = (h: number, state: number): boolean => {
    const key = (h ^ Math.imul(state + 1, 0x9e3779b1)) | 0;
    const first = buckets.get(key);
    for (let s = first === undefined ? -1 : first; s !== -1; s = slotNext[s]) {
      if (slotState[s] !== state) continue;
      const base = s * W;
      let same = true;
      for (let w = 0; w < W; w++) {
        if (arena[base + w] !== bits[w]) {
          same = false;
          break;
        }
      }
      if (same) return false;
    }
    if (budget.usedCacheWords + W > budget.maxCacheWords) throw MEMORY;
    budget.usedCacheWords += W;
    if (slots === slotCap) {
      slotCap *= 2;
      const ns = new Int32Array(slotCap);
      ns.set(slotState);
      slotState = ns;
      const nn = new Int32Array(slotCap);
      nn.set(slotNext);
      slotNext = nn;
      const na = new Uint32Array(slotCap * W);
      na.set(arena);
      arena = na;
    }
    slotState[slots] = state;
    slotNext[slots] = first === undefined ? -1 : first;
    arena.set(bits, slots * W);
    buckets.set(key, slots);
    slots++;
    return true;
  };

  const stackOp = new Int32Array(n);
  const stackState = new Int32Array(n);
  let depth = 0;
  let state = init;
  let bestDepth = -1;
  let bestSnapshot: { ops: Int32Array; states: Int32Array; stuck: number } | null = null;
  let atNewBest = false;
  let iterations = 0;
  const startWords = budget.usedCacheWords;

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
          if (cacheAdd(h, newState)) {
            hash = h;
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
