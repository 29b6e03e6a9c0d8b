// Role-targeted: ask the system who is primary right now and cut that node
// off from every other node. Clients still reach it, so an old primary that
// keeps serving is observed.
import { cutFault, needsPrimary, pairsAcross, type NemesisFactory } from './nemesis.ts';

export const isolatePrimary: NemesisFactory = {
  summary: 'cut the current primary off from all other nodes (asks the system who is primary)',
  partitionModes: true,
  unsupported: needsPrimary,
  create: (mode) => ({
    kind: 'isolate-primary',
    async start(ctx) {
      const node = await ctx.cluster.primary();
      const ids = ctx.cluster.nodeIds();
      if (node === null) return { value: { primary: null, note: 'no primary known; nothing cut' }, heal: async () => {} };
      return cutFault(ctx, pairsAcross([node], ids.filter((n) => n !== node)), mode, { primary: node });
    },
  }),
};
