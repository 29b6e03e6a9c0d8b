// noop: passes data through untouched.
import { INTERRUPTED, type ToxicStub } from '../stub.ts';
import type { ToxicDefinition } from './definition.ts';

export const noop: ToxicDefinition = {
  type: 'noop',
  attributes: {},
  create: () => ({
    async pipe(stub: ToxicStub) {
      for (;;) {
        const c = await stub.read();
        if (c === INTERRUPTED) return;
        if (c === null) return stub.close();
        await stub.send(c);
      }
    },
  }),
};
