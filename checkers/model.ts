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

  fresh(v: Value): number {
    this.hasFresh = true;
    this.values.push(v);
    return this.values.length - 1;
  }

  id(v: Value): number {
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

/** A key's operations compiled for fast stepping: op i is kind[i] with value ids a[i], b[i]. */
export class CompiledOps {
  private readonly kind: Uint8Array;
  private readonly a: Int32Array;
  private readonly b: Int32Array;
  /** Per append op, the state each earlier state steps to (see ValueTable.hasFresh). */
  private readonly appendNext: (Map<number, number> | undefined)[] = [];

  constructor(
    private readonly ops: readonly Operation[],
    readonly table: ValueTable,
  ) {
    const n = ops.length;
    this.kind = new Uint8Array(n);
    this.a = new Int32Array(n);
    this.b = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const op = ops[i];
      switch (op.f) {
        case 'read':
          this.kind[i] = READ;
          this.a[i] = table.id(op.output);
          break;
        case 'write':
          this.kind[i] = WRITE;
          this.a[i] = table.id(op.input as Value);
          break;
        case 'cas': {
          const [from, to] = op.input as [Value, Value];
          this.kind[i] = op.status === 'ok' ? CAS_OK : CAS_INFO;
          this.a[i] = table.id(from);
          this.b[i] = table.id(to);
          break;
        }
        case 'append':
          this.kind[i] = APPEND;
          break;
      }
    }
  }

  /** The state after op i from `state`, or ILLEGAL. */
  step(i: number, state: number): number {
    switch (this.kind[i]) {
      case READ:
        return this.table.same(state, this.a[i]) ? state : ILLEGAL;
      case WRITE:
        return this.a[i];
      case CAS_OK:
        return this.table.same(state, this.a[i]) ? this.b[i] : ILLEGAL;
      case CAS_INFO:
        return this.table.same(state, this.a[i]) ? this.b[i] : state;
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
