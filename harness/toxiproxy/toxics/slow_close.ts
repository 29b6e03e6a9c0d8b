// slow_close: passes data through, but delays the close by `delay` ms.
import { INTERRUPTED, type ToxicStub } from '../stub.ts';
import type { ToxicDefinition } from './definition.ts';

export const slowClose: ToxicDefinition = {
  type: 'slow_close',
  attributes: { delay: 'int64' },
  create: ({ delay }) => ({
    async pipe(stub: ToxicStub) {
      for (;;) {
        const c = await stub.read();
        if (c === INTERRUPTED) return;
        if (c === null) {
          if (await stub.sleep(delay)) return stub.close();
          // Interrupted while delaying: keep the end of stream for whoever comes next.
          stub.unread(null);
          return;
        }
        await stub.send(c);
      }
    },
  }),
};
