// Generated histories with verdicts known by construction, for benchmarks and
// tests. Clients run against a simulated atomic register per key: every op
// takes effect at a random instant between its invoke and its completion, so
// the history is linearizable. Written values are unique, which makes an
// injected stale read a guaranteed violation.
import type { ClientEvent, HistoryEvent, Value } from './types.ts';

export interface GenerateOptions {
  ops: number;
  keys: number;
  clients: number;
  seed: number;
  /** Fraction of write/cas ops whose completion is lost (info); half of them took effect. */
  infoRate?: number;
  /** Inject one stale read: a read returning a value overwritten before it began. */
  violate?: boolean;
}

function prng(seed: number): () => number {
  // mulberry32
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Pending {
  process: number;
  key: string;
  f: 'read' | 'write' | 'cas';
  value: Value | [Value, Value];
  output: Value;
  type: 'ok' | 'fail' | 'info';
  invokeAt: number;
}

export function generateHistory(o: GenerateOptions): { events: HistoryEvent[]; violated: boolean } {
  const rand = prng(o.seed);
  const int = (n: number) => Math.floor(rand() * n);
  const infoRate = o.infoRate ?? 0;
  const registers = new Map<string, Value>();
  let nextValue = 1;
  const events: HistoryEvent[] = [];
  const emit = (e: Omit<ClientEvent, 'index'>) => events.push({ index: events.length, ...e });
  const processOf = Array.from({ length: o.clients }, (_, i) => i);
  let nextProcess = o.clients;
  // phase: 0 idle (next: invoke), 1 invoked (next: take effect), 2 done (next: complete)
  const phase = new Array<number>(o.clients).fill(0);
  const at = Array.from({ length: o.clients }, () => int(1000));
  const pending = new Array<Pending | null>(o.clients).fill(null);
  let invoked = 0;
  for (;;) {
    let c = -1;
    for (let i = 0; i < o.clients; i++) if ((phase[i] !== 0 || invoked < o.ops) && (c === -1 || at[i] < at[c])) c = i;
    if (c === -1) break;
    const now = at[c];
    if (phase[c] === 0) {
      const key = `k${int(o.keys)}`;
      const r = rand();
      const f = r < 0.5 ? 'read' : r < 0.8 ? 'write' : 'cas';
      const current = registers.get(key) ?? null;
      const value: Value | [Value, Value] = f === 'read' ? null : f === 'write' ? nextValue++ : [rand() < 0.7 ? current : int(nextValue), nextValue++];
      pending[c] = { process: processOf[c], key, f, value, output: null, type: 'ok', invokeAt: now };
      emit({ time: now, process: processOf[c], type: 'invoke', f, key, value });
      invoked++;
      phase[c] = 1;
      at[c] = now + 1 + int(2000);
    } else if (phase[c] === 1) {
      const p = pending[c]!;
      const lost = p.f !== 'read' && rand() < infoRate;
      const effective = !lost || rand() < 0.5;
      const state = registers.get(p.key) ?? null;
      if (p.f === 'read') p.output = state;
      else if (p.f === 'write') {
        if (effective) registers.set(p.key, p.value as Value);
      } else {
        const [from, to] = p.value as [Value, Value];
        if (state === from) {
          if (effective) registers.set(p.key, to);
        } else p.type = 'fail';
      }
      if (lost) p.type = 'info';
      phase[c] = 2;
      at[c] = now + 1 + int(2000);
    } else {
      const p = pending[c]!;
      emit({ time: now, process: p.process, type: p.type, f: p.f, key: p.key, value: p.f === 'read' ? p.output : p.value, ...(p.type === 'info' ? { error: 'timeout' } : {}) });
      if (p.type === 'info') processOf[c] = nextProcess++; // retired, as in Jepsen
      pending[c] = null;
      phase[c] = 0;
      at[c] = now + int(500);
    }
  }
  return { events, violated: o.violate === true && injectStaleRead(events) };
}

/** Makes one ok read return the value of a write that a later write overwrote before the read began. */
function injectStaleRead(events: HistoryEvent[]): boolean {
  const open = new Map<number, ClientEvent>();
  const lastWrites = new Map<string, { value: Value; call: number; ret: number }[]>();
  for (const e of events as ClientEvent[]) {
    if (e.type === 'invoke') {
      open.set(e.process, e);
      continue;
    }
    const inv = open.get(e.process)!;
    open.delete(e.process);
    const key = e.key!;
    if (e.type === 'ok' && e.f === 'write') {
      const list = lastWrites.get(key) ?? [];
      list.push({ value: e.value as Value, call: inv.time, ret: e.time });
      lastWrites.set(key, list);
    }
    if (e.type === 'ok' && e.f === 'read' && events.indexOf(e) > events.length / 2) {
      const list = (lastWrites.get(key) ?? []).filter((w) => w.ret < inv.time);
      for (let i = list.length - 1; i > 0; i--) {
        const newer = list[i];
        const older = list.slice(0, i).find((w) => w.ret < newer.call);
        if (older !== undefined && older.value !== e.value) {
          e.value = older.value;
          return true;
        }
      }
    }
  }
  return false;
}
