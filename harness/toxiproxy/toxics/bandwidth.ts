// bandwidth: limits throughput to `rate` KB/s (1 KB = 1000 bytes, as in
// Toxiproxy), sending large chunks in 100 ms slices.
import { INTERRUPTED, type ToxicStub } from '../stub.ts';
import type { ToxicDefinition } from './definition.ts';

export const bandwidth: ToxicDefinition = {
  type: 'bandwidth',
  attributes: { rate: 'int64' },
  create: ({ rate }) => ({
    async pipe(stub: ToxicStub) {
      // Owed sleep in ms; carries timer imprecision over to the next chunk.
      let owed = 0;
      for (;;) {
        const c = await stub.read();
        if (c === INTERRUPTED) return;
        if (c === null) return stub.close();
        if (rate <= 0) {
          await stub.send(c);
          continue;
        }
        owed += c.data.length / rate;
        let data = c.data;
        const slice = rate * 100;
        while (data.length > slice) {
          if (!(await stub.sleep(100))) {
            stub.unread({ data, timestamp: c.timestamp });
            return;
          }
          await stub.send({ data: data.subarray(0, slice), timestamp: c.timestamp });
          data = data.subarray(slice);
          owed -= 100;
        }
        const start = stub.clock.now();
        if (!(await stub.sleep(owed))) {
          stub.unread({ data, timestamp: c.timestamp });
          return;
        }
        owed -= stub.clock.now() - start;
        await stub.send({ data, timestamp: c.timestamp });
      }
    },
  }),
};
