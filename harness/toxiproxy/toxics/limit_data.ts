// limit_data: passes the first `bytes` bytes of the connection (in this
// direction), then closes it. The count survives updates of the toxic.
import { INTERRUPTED, type ToxicStub } from '../stub.ts';
import type { ToxicDefinition } from './definition.ts';

interface LimitState {
  transmitted: number;
}

export const limitData: ToxicDefinition = {
  type: 'limit_data',
  attributes: { bytes: 'int64' },
  newState: (): LimitState => ({ transmitted: 0 }),
  create: ({ bytes }) => ({
    async pipe(stub: ToxicStub) {
      const state = stub.state as LimitState;
      for (;;) {
        const c = await stub.read();
        if (c === INTERRUPTED) return;
        if (c === null) return stub.close();
        const remaining = Math.max(0, bytes - state.transmitted);
        const data = remaining < c.data.length ? c.data.subarray(0, remaining) : c.data;
        if (data.length > 0) {
          state.transmitted += data.length;
          await stub.send(data === c.data ? c : { data, timestamp: c.timestamp });
        }
        if (bytes - state.transmitted <= 0) return stub.close();
      }
    },
  }),
};
