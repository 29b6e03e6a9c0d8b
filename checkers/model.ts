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
   * id (see CompiledOp.step), so the cache loses nothing in practice, and a
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

const enum Kind {
  Read,
  Write,
  CasOk,
  CasInfo,
  Append,
}

/** One operation compiled for fast stepping. */
export class CompiledOp {
  readonly kind: Kind;
  readonly a: number;
  readonly b: number;
  private appendCache: Map<number, number> | null = null;

  constructor(
    readonly op: Operation,
    private readonly table: ValueTable,
  ) {
    switch (op.f) {
      case 'read':
        this.kind = Kind.Read;
        this.a = table.id(op.output);
        this.b = 0;
        break;
      case 'write':
        this.kind = Kind.Write;
        this.a = table.id(op.input as Value);
        this.b = 0;
        break;
      case 'cas': {
        const [from, to] = op.input as [Value, Value];
        this.kind = op.status === 'ok' ? Kind.CasOk : Kind.CasInfo;
        this.a = table.id(from);
        this.b = table.id(to);
        break;
      }
      case 'append':
        this.kind = Kind.Append;
        this.a = 0;
        this.b = 0;
        break;
    }
  }

  /** The state after this op from `state`, or ILLEGAL. */
  step(state: number): number {
    switch (this.kind) {
      case Kind.Read:
        return this.table.same(state, this.a) ? state : ILLEGAL;
      case Kind.Write:
        return this.a;
      case Kind.CasOk:
        return this.table.same(state, this.a) ? this.b : ILLEGAL;
      case Kind.CasInfo:
        return this.table.same(state, this.a) ? this.b : state;
      case Kind.Append: {
        if (this.appendCache === null) this.appendCache = new Map();
        let next = this.appendCache.get(state);
        if (next === undefined) {
          const before = this.table.values[state];
          next = this.table.fresh(`${before ?? ''}${String(this.op.input)}`);
          this.appendCache.set(state, next);
        }
        return next;
      }
    }
  }
}
