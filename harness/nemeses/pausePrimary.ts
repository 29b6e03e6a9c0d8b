// The primary stalls (SIGSTOP) long enough for a new view to form, and wakes
// up (SIGCONT) believing it still leads, with requests queued in its sockets.
import { needsPrimary, type NemesisFactory } from './nemesis.ts';

export const pausePrimary: NemesisFactory = {
  summary: 'SIGSTOP the current primary (asks the system who is primary), SIGCONT on heal',
  partitionModes: false,
  unsupported: needsPrimary,
  create: () => ({
    kind: 'pause-primary',
    async start(ctx) {
      const node = await ctx.cluster.primary();
      if (node === null) return { value: { primary: null, note: 'no primary known; nothing paused' }, heal: async () => {} };
      await ctx.cluster.pause(node);
      return { value: { node }, heal: () => ctx.cluster.resume(node) };
    },
  }),
};
