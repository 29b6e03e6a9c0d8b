// The register model: each key is an independent register supporting read,
// write, cas and append. States are interned to small integers so the search
// can hash and compare them cheaply; the step function is pure.
//
// Semantics next to the code (as in Porcupine's etcd model):
// - ok read: legal iff the value read equals the state.
// - write: always legal, state := value.
// - ok cas [from, to]: legal iff state = from, state := to.
// - info cas: outcome unknown, so always legal; state := to if state = from,
//   else unchanged (a failed compare). "Did not happen at all" is covered
//   because an info op returns at infinity and can be linearized last.
// - append: state := (state ?? "") + value (string append, imported histories).
// - info reads and fail ops never reach the model (see reduce.ts).
import type { Operation, Value } from './types.ts';

export const ILLEGAL = -1;

/** Integers below this are numbered by ValueTable's array (4 bytes each up to the largest seen), larger ones by its Map. */
const SMALL_INT_LIMIT = 1 << 20;

export class ValueTable {
  private readonly ids = new Map<Value, number>();
  readonly values: Value[] = [];
  /**
   * True once append results exist. They get fresh ids without interning:
   * hashing every new (often long) concatenation dominated the profile. A
   * state reached by the same appends in the same order always gets the same
   * id (see CompiledOps.step), so the cache loses nothing in practice, and a
   * read compares strings whenever ids differ.
   */
  hasFresh = false;

  /** Whether two state ids hold the same value. */
  same(x: number, y: number): boolean {
    return x === y || (this.hasFresh && this.values[x] === this.values[y]);
  }

  /**
   * Ids of small non-negative integers, the values of most histories (fresh
   * integers per write), as 1 + id, 0 for none: an array lookup instead of a
   * Map entry each, which in a cold check's interpreter cost more than the
   * search, and whose growth filled the young generation (a scavenge, with
   * the parsed history still in it, was the dearest part of a 10,000-op check).
   */
  private smallIds = new Int32Array(0);

  private smallIntId(v: number): number {
    let ids = this.smallIds;
    if (v >= ids.length) {
      const grown = new Int32Array(Math.max(1024, 2 * ids.length, v + 1));
      grown.set(ids);
      this.smallIds = ids = grown;
    }
    const known = ids[v];
    if (known !== 0) return known - 1;
    const id = this.values.length;
    this.values.push(v);
    ids[v] = id + 1;
    return id;
  }

  fresh(v: Value): number {
    this.hasFresh = true;
    this.values.push(v);
    return this.values.length - 1;
  }

  id(v: Value): number {
    if (typeof v === 'number' && (v | 0) === v && v >= 0 && v < SMALL_INT_LIMIT) return this.smallIntId(v);
    let id = this.ids.get(v);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(v);
      this.ids.set(v, id);
    }
    return id;
  }
}

// Op kinds. Plain numbers, not an enum: the search steps ops in its hottest loop.
const READ = 0;
const WRITE = 1;
const CAS_OK = 2;
const CAS_INFO = 3;
const APPEND = 4;

/**
 * Writes op's step into code[at..at+2]: its kind, then the ids of its values
 * (read: the value read; write: the value written; cas: from, to). An
 * append's states have no ids ahead of the walk (CompiledOps.append).
 */
export function compileOp(op: Operation, table: ValueTable, code: Int32Array, at: number): void {
  switch (op.f) {
    case 'read':
      code[at] = READ;
      code[at + 1] = table.id(op.output);
      return;
    case 'write':
      code[at] = WRITE;
      code[at + 1] = table.id(op.input as Value);
      return;
    case 'cas': {
      // Indexed, not destructured: in the interpreter, destructuring runs the iterator protocol, allocating per op.
      const fromTo = op.input as [Value, Value];
      code[at] = op.status === 'ok' ? CAS_OK : CAS_INFO;
      code[at + 1] = table.id(fromTo[0]);
      code[at + 2] = table.id(fromTo[1]);
      return;
    }
    case 'append':
      code[at] = APPEND;
  }
}

/**
 * Rule 3's inputs (reduce.ts), per op of `kept`: the value it observes (an ok
 * read's, a cas's from; -1 for none), the value an info op writes (-1 for any
 * other op), its call and return times.
 */
export function rule3Inputs(kept: Operation[], table: ValueTable, observes: Int32Array, writes: Int32Array, call: Float64Array, ret: Float64Array): void {
  for (let i = 0; i < kept.length; i++) {
    const op = kept[i];
    const cas = op.f === 'cas' ? (op.input as [Value, Value]) : null;
    observes[i] = op.f === 'read' ? table.id(op.output) : cas !== null ? table.id(cas[0]) : -1;
    writes[i] = op.status !== 'info' ? -1 : table.id(cas !== null ? cas[1] : (op.input as Value));
    call[i] = op.call;
    ret[i] = op.return;
  }
}

/** The ops of `kept` rule 3 keeps (alive[i] = 1, `survivors` of them), in order; `kept` itself when it keeps all. */
export function rule3Survivors(kept: Operation[], alive: Uint8Array, survivors: number): Operation[] {
  if (survivors === kept.length) return kept;
  const out: Operation[] = new Array(survivors);
  for (let i = 0, j = 0; i < kept.length; i++) if (alive[i] === 1) out[j++] = kept[i];
  return out;
}

/** A key's operations compiled for fast stepping: op i is code[3i] (its kind) with value ids code[3i+1], code[3i+2]. */
export class CompiledOps {
  /** One array, not three (the JavaScript walk's; the kernel compiles into its own memory with compileOp). */
  readonly code: Int32Array;
  /** Per append op, the state each earlier state steps to (see ValueTable.hasFresh). */
  private readonly appendNext: (Map<number, number> | undefined)[] = [];

  constructor(
    private readonly ops: readonly Operation[],
    readonly table: ValueTable,
  ) {
    const code = (this.code = new Int32Array(3 * ops.length));
    for (let i = 0; i < ops.length; i++) compileOp(ops[i], table, code, 3 * i);
  }

  /** The state after op i from `state`, or ILLEGAL. */
  step(i: number, state: number): number {
    const code = this.code;
    switch (code[3 * i]) {
      case READ:
        return this.table.same(state, code[3 * i + 1]) ? state : ILLEGAL;
      case WRITE:
        return code[3 * i + 1];
      case CAS_OK:
        return this.table.same(state, code[3 * i + 1]) ? code[3 * i + 2] : ILLEGAL;
      case CAS_INFO:
        return this.table.same(state, code[3 * i + 1]) ? code[3 * i + 2] : state;
      default:
        return this.append(i, state);
    }
  }

  private append(i: number, state: number): number {
    let next = this.appendNext[i];
    if (next === undefined) this.appendNext[i] = next = new Map();
    let to = next.get(state);
    if (to === undefined) {
      const before = this.table.values[state];
      to = this.table.fresh(`${before ?? ''}${String(this.ops[i].input)}`);
      next.set(state, to);
    }
    return to;
  }
}
