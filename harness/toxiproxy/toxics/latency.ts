// latency: delays each chunk by `latency` ± `jitter` ms, counted from when
// the proxy read it, so chunks queued behind a sleeping one are not delayed twice.
import { INTERRUPTED, type ToxicStub } from '../stub.ts';
import type { Attributes, ToxicDefinition } from './definition.ts';

function delay(a: Attributes, random: () => number): number {
  let d = a.latency;
  if (a.jitter > 0) d += Math.floor(random() * a.jitter * 2) - a.jitter;
  return d;
}

export const latency: ToxicDefinition = {
  type: 'latency',
  attributes: { latency: 'int64', jitter: 'int64' },
  create: (a) => ({
    async pipe(stub: ToxicStub) {
      for (;;) {
        const c = await stub.read();
        if (c === INTERRUPTED) return;
        if (c === null) return stub.close();
        const wait = delay(a, () => stub.random()) - (stub.clock.now() - c.timestamp);
        if (wait > 0 && !(await stub.sleep(wait))) {
          // Interrupted: give the chunk back; an update re-delays it, a removal passes it on.
          stub.unread(c);
          return;
        }
        await stub.send(c);
      }
    },
  }),
};
