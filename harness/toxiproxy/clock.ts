// Time and randomness for the proxy, injected so toxic logic can run on a
// fake clock in unit tests (STYLE.md: "Toxic tests use in-memory streams and a
// fake clock"). The real server uses `realClock` and `Math.random`.

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds, fractional, monotonic. */
  now(): number;
  /** Calls `fn` after `ms` milliseconds unless cancelled. */
  after(ms: number, fn: () => void): TimerHandle;
}

export type Random = () => number;

export const realClock: Clock = {
  now: () => performance.now(),
  after(ms, fn) {
    const t = setTimeout(fn, Math.max(0, ms));
    return { cancel: () => clearTimeout(t) };
  },
};

/** A clock that only moves when told to; timers fire in due order during `advance`. */
export class FakeClock implements Clock {
  private time = 0;
  private seq = 0;
  private timers = new Map<number, { due: number; fn: () => void }>();

  now(): number {
    return this.time;
  }

  after(ms: number, fn: () => void): TimerHandle {
    const id = this.seq++;
    this.timers.set(id, { due: this.time + Math.max(0, ms), fn });
    return { cancel: () => this.timers.delete(id) };
  }

  /** Number of timers waiting. */
  pending(): number {
    return this.timers.size;
  }

  /**
   * Moves time forward by `ms`, firing due timers one at a time and letting
   * the promise continuations they trigger run before the next one.
   */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    for (;;) {
      await settle();
      let nextId = -1;
      let next: { due: number; fn: () => void } | undefined;
      for (const [id, t] of this.timers) {
        if (t.due <= target && (next === undefined || t.due < next.due)) {
          next = t;
          nextId = id;
        }
      }
      if (next === undefined) break;
      this.timers.delete(nextId);
      this.time = Math.max(this.time, next.due);
      next.fn();
    }
    this.time = target;
    await settle();
  }
}

/** Lets queued microtasks (promise continuations) run to quiescence. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
  await new Promise<void>((r) => setImmediate(r));
}

/** A seeded PRNG (mulberry32), for reproducible toxicity and jitter in tests. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
