// The walk of search.ts run by its WebAssembly build (search.as.ts, compiled
// into searchWasm.ts): one instance, with its own memory, per key's search at
// a time. Instances are pooled: a new one costs a new memory, whose first
// pages cost more than the whole search of a small key.
// The host's part is small: copy the ops' times and compiled steps into the
// instance's memory, answer its budget requests, and turn its result into a
// SearchOutcome. A paused search keeps its instance; release() drops it, and
// a search released before its outcome is rebuilt from its ops when resumed
// (it starts over, as the JavaScript walk does).
import type { KeySearch, SearchBudget, SearchOutcome, Walk, WalkInput } from '../search.ts';
import { reserveWords, times } from '../search.ts';
import type { Operation } from '../types.ts';
import { SEARCH_WASM_BASE64 } from './searchWasm.ts';

interface KernelExports {
  memory: WebAssembly.Memory;
  layout(n: number, m: number, trackPrefix: number): number;
  prepare(init: number): void;
  run(deadline: number): number;
  bestOpsAt(): number;
  bestStatesAt(): number;
  bestLength(): number;
  bestStuckOp(): number;
  firstEntry(): number;
}

// run()'s results.
const PAUSED = 0;
const OK = 1;
const STUCK = 2;
const MEMORY = 3;

let compiled: WebAssembly.Module | null = null;
/**
 * The kernel module, compiled on first use, once per thread: about 3 ms in a
 * fresh process (most of it the engine's own start; compiling it again takes
 * a tenth of a millisecond). Compiling it in the background while the history
 * is parsed does not help: V8 finishes an asynchronous compile with tasks on
 * this thread, which wait until the parse is done, and then cost more.
 */
function kernelModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(Buffer.from(SEARCH_WASM_BASE64, 'base64'));
  return compiled;
}

/** What an instance calls back: set by the walk using it. */
interface Host {
  reserve(words: number): boolean;
}

interface Pooled {
  exports: KernelExports;
  host: { current: Host | null };
}

/** Instances no search is using; their memories together stay under POOL_BYTES (a memory never shrinks). */
const pool: Pooled[] = [];
const POOL_BYTES = 64 * 1024 * 1024;
let pooledBytes = 0;

function takeInstance(host: Host): Pooled {
  const pooled = pool.pop();
  if (pooled !== undefined) {
    pooledBytes -= pooled.exports.memory.buffer.byteLength;
    pooled.host.current = host;
    return pooled;
  }
  const slot: { current: Host | null } = { current: host };
  const env = {
    now: () => performance.now(),
    reserve: (words: number) => (slot.current !== null && slot.current.reserve(words) ? 1 : 0),
  };
  const exports = new WebAssembly.Instance(kernelModule(), { env }).exports as unknown as KernelExports;
  return { exports, host: slot };
}

function giveBack(pooled: Pooled): void {
  pooled.host.current = null;
  const bytes = pooled.exports.memory.buffer.byteLength;
  if (pooledBytes + bytes > POOL_BYTES) return;
  pooledBytes += bytes;
  pool.push(pooled);
}

export class KernelWalk implements Walk {
  heldWords = 0;
  private instance: Pooled | null = null;
  private outcome: SearchOutcome | null = null;
  private readonly ops: Operation[];
  private readonly budget: SearchBudget;
  private readonly owner: KeySearch;

  constructor(private readonly input: WalkInput) {
    this.ops = input.ops;
    this.budget = input.budget;
    this.owner = input.owner;
  }

  private build(): Pooled {
    const { ops, m, compiled: steps, init, trackPrefix } = this.input;
    const n = ops.length;
    const pooled = takeInstance(this);
    const x = pooled.exports;
    const at = x.layout(n, m, trackPrefix ? 1 : 0);
    const { call, ret } = times(ops);
    const memory = x.memory.buffer;
    new Float64Array(memory, at, n).set(call.subarray(0, n));
    new Float64Array(memory, at + 8 * n, n).set(ret.subarray(0, n));
    new Int32Array(memory, at + 16 * n, 3 * n).set(steps.code);
    x.prepare(init);
    return pooled;
  }

  reserve(words: number): boolean {
    if (!reserveWords(this.budget, this.owner, words)) return false;
    this.heldWords += words;
    return true;
  }

  run(deadline: number): SearchOutcome | null {
    if (this.outcome !== null) return this.outcome;
    const x = (this.instance ??= this.build()).exports;
    let result: number;
    try {
      result = x.run(deadline);
    } catch (e) {
      // The instance's memory could not grow (a wasm32 memory holds at most 4 GiB).
      if (e instanceof WebAssembly.RuntimeError) result = MEMORY;
      else throw e;
    }
    if (result === PAUSED) return null;
    if (result === OK) return this.finish({ result: 'ok' });
    if (result === MEMORY) return this.finish({ result: 'unknown', reason: 'memory' });
    if (result !== STUCK) throw new Error(`search kernel returned ${result}`);
    const { ops } = this;
    const values = this.input.table.values;
    const stuck = x.bestStuckOp();
    if (stuck === -1) {
      // No prefix tracked: the first entry of the list is what could not be linearized.
      const first = x.firstEntry();
      return this.finish({ result: 'illegal', prefix: [], stuck: ops[first < ops.length ? first : first - ops.length] });
    }
    const len = x.bestLength();
    const bestOps = new Int32Array(x.memory.buffer, x.bestOpsAt(), len);
    const bestStates = new Int32Array(x.memory.buffer, x.bestStatesAt(), len + 1);
    const prefix = Array.from(bestOps, (o, i) => ({ op: ops[o], before: values[bestStates[i]], after: values[bestStates[i + 1]] }));
    return this.finish({ result: 'illegal', prefix, stuck: ops[stuck] });
  }

  private finish(outcome: SearchOutcome): SearchOutcome {
    this.outcome = outcome;
    this.release();
    return outcome;
  }

  release(): void {
    this.budget.usedCacheWords -= this.heldWords;
    this.heldWords = 0;
    if (this.instance !== null) giveBack(this.instance);
    this.instance = null;
  }
}
