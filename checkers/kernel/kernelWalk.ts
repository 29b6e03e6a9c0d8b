// The walk of search.ts run by its WebAssembly build (search.as.ts, compiled
// into searchWasm.ts): one instance, with its own memory, per key's search at
// a time. Instances are pooled: a new one costs a new memory, whose first
// pages cost more than the whole search of a small key.
// The host's part is small: write the ops' times and compiled steps into the
// instance's memory, read the clock between bounded runs, grant it cache
// words from the shared budget, and turn its result into a SearchOutcome. A
// paused search keeps its instance; release() drops it, and a search released
// before its outcome is rebuilt from its ops when resumed (it starts over, as
// the JavaScript walk does). The kernel also runs reduce.ts's rule 3
// (kernelRule3), on an instance taken from the pool for the call.
import { compileOp, rule3Inputs, rule3Survivors, type ValueTable } from '../model.ts';
import type { SearchOutcome, Walk, WalkInput } from '../search.ts';
import { reserveWords } from '../search.ts';
import type { Operation } from '../types.ts';
import { SEARCH_WASM_BASE64 } from './searchWasm.ts';

interface KernelExports {
  memory: WebAssembly.Memory;
  layout(n: number, m: number, trackPrefix: number): number;
  prepare(init: number): void;
  run(steps: number): number;
  grant(words: number): void;
  neededWords(): number;
  bestOpsAt(): number;
  bestStatesAt(): number;
  bestLength(): number;
  bestStuckOp(): number;
  firstEntry(): number;
  reduceLayout(n: number): number;
  reduceRun(n: number, values: number): number;
  reduceAliveAt(): number;
}

// run()'s results.
const PAUSED = 0;
const OK = 1;
const STUCK = 2;
const NEED_WORDS = 3;
/** Steps per run() call: the clock is read between calls, as often as the JavaScript walk reads it. */
const STEPS = 4096;

let compiled: WebAssembly.Module | null = null;
/**
 * The kernel module, compiled on first use, once per thread: about 1 ms in a
 * fresh process (a module with imports took 3: V8 compiles their wrappers
 * with the module). Compiling it in the background while the history
 * is parsed does not help: V8 finishes an asynchronous compile with tasks on
 * this thread, which wait until the parse is done, and then cost more.
 */
function kernelModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(Buffer.from(SEARCH_WASM_BASE64, 'base64'));
  return compiled;
}

/** Instances no search is using; their memories together stay under POOL_BYTES (a memory never shrinks). */
const pool: KernelExports[] = [];
const POOL_BYTES = 64 * 1024 * 1024;
let pooledBytes = 0;

function takeInstance(): KernelExports {
  const pooled = pool.pop();
  if (pooled === undefined) return new WebAssembly.Instance(kernelModule()).exports as unknown as KernelExports;
  pooledBytes -= pooled.memory.buffer.byteLength;
  return pooled;
}

function giveBack(pooled: KernelExports): void {
  const bytes = pooled.memory.buffer.byteLength;
  if (pooledBytes + bytes > POOL_BYTES) return;
  pooledBytes += bytes;
  pool.push(pooled);
}

export class KernelWalk implements Walk {
  heldWords = 0;
  private instance: KernelExports | null = null;
  private outcome: SearchOutcome | null = null;

  constructor(private readonly input: WalkInput) {}

  private build(): KernelExports {
    const { ops, m, table, init, trackPrefix } = this.input;
    const n = ops.length;
    const x = takeInstance();
    const at = x.layout(n, m, trackPrefix ? 1 : 0);
    // One pass over the ops, straight into the instance's memory: their times and compiled steps.
    const memory = x.memory.buffer;
    const call = new Float64Array(memory, at, n);
    const ret = new Float64Array(memory, at + 8 * n, n);
    const code = new Int32Array(memory, at + 16 * n, 3 * n);
    for (let i = 0; i < n; i++) {
      const op = ops[i];
      call[i] = op.call;
      ret[i] = op.return;
      compileOp(op, table, code, 3 * i);
    }
    x.prepare(init);
    return x;
  }

  private reserve(words: number): boolean {
    if (!reserveWords(this.input.budget, this.input.owner, words)) return false;
    this.heldWords += words;
    return true;
  }

  run(deadline: number): SearchOutcome | null {
    if (this.outcome !== null) return this.outcome;
    const x = (this.instance ??= this.build());
    let result: number;
    for (;;) {
      try {
        result = x.run(STEPS);
      } catch (e) {
        // The instance's memory could not grow (a wasm32 memory holds at most 4 GiB).
        if (e instanceof WebAssembly.RuntimeError) return this.finish({ result: 'unknown', reason: 'memory' });
        throw e;
      }
      if (result === NEED_WORDS) {
        const words = x.neededWords();
        if (!this.reserve(words)) return this.finish({ result: 'unknown', reason: 'memory' });
        x.grant(words);
      } else if (result !== PAUSED) break;
      else if (performance.now() > deadline) return null;
    }
    if (result === OK) return this.finish({ result: 'ok' });
    if (result !== STUCK) throw new Error(`search kernel returned ${result}`);
    const { ops } = this.input;
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
    this.input.budget.usedCacheWords -= this.heldWords;
    this.heldWords = 0;
    if (this.instance !== null) giveBack(this.instance);
    this.instance = null;
  }
}

/**
 * Rule 3 of reduce.ts (jsRule3 there says what and why) in the kernel: the
 * ops of `kept` that survive, in order. `kept` holds no fail ops, no info
 * reads and no appends.
 */
export function kernelRule3(kept: Operation[], table: ValueTable): Operation[] {
  const n = kept.length;
  const x = takeInstance();
  try {
    // Straight into the instance's memory. Numbering may add values: the kernel sizes its table when it runs.
    const at = x.reduceLayout(n);
    const memory = x.memory.buffer;
    const observes = new Int32Array(memory, at, n);
    const writes = new Int32Array(memory, at + 4 * n, n);
    const call = new Float64Array(memory, at + 8 * n, n);
    const ret = new Float64Array(memory, at + 16 * n, n);
    rule3Inputs(kept, table, observes, writes, call, ret);
    const survivors = x.reduceRun(n, table.values.length);
    return rule3Survivors(kept, new Uint8Array(x.memory.buffer, x.reduceAliveAt(), n), survivors);
  } finally {
    giveBack(x);
  }
}
