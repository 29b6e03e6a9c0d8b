// reset_peer: on the first data (or end of stream) after it starts, waits
// `timeout` ms and then resets the connection (TCP RST on both sockets).
import { INTERRUPTED, type ToxicStub } from '../stub.ts';
import type { ToxicDefinition } from './definition.ts';

export const resetPeer: ToxicDefinition = {
  type: 'reset_peer',
  attributes: { timeout: 'int64' },
  create: ({ timeout }) => ({
    async pipe(stub: ToxicStub) {
      const c = await stub.read();
      if (c === INTERRUPTED) return;
      if (!(await stub.sleep(timeout))) {
        stub.unread(c);
        return;
      }
      stub.reset();
    },
  }),
};
