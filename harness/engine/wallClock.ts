// The real engine's clock: monotonic time since the clock was made, and the
// one abortable sleep of the harness's control loops.
import type { Clock } from './cluster.ts';

export function wallClock(): Clock {
  const start = process.hrtime.bigint();
  return {
    nowNs: () => Number(process.hrtime.bigint() - start),
    now: () => Number(process.hrtime.bigint() - start) / 1e6,
    sleep: abortableSleep,
  };
}

/** Resolves after `ms`, or at once when `signal` aborts (Ctrl-C, end of run), so no loop outlives its run. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
