// timeout: drops all data; closes the connection after `timeout` ms, or
// never when it is 0 (a silent partition, like an iptables DROP). Removing
// it closes the connections it held, as in Toxiproxy: their data is gone.
import { INTERRUPTED, type ToxicStub } from '../stub.ts';
import type { ToxicDefinition } from './definition.ts';

export const timeout: ToxicDefinition = {
  type: 'timeout',
  attributes: { timeout: 'int64' },
  create: ({ timeout }) => ({
    async pipe(stub: ToxicStub) {
      let expired = false;
      const timer = timeout > 0 ? stub.clock.after(timeout, () => (expired = true) && stub.close()) : null;
      try {
        for (;;) {
          const c = await stub.read();
          if (c === INTERRUPTED || expired) return;
          if (c === null) return stub.close();
          // Drop the data on the floor.
        }
      } finally {
        timer?.cancel();
      }
    },
    cleanup(stub: ToxicStub) {
      stub.close();
    },
  }),
};
