// The worst partition of the primary/backup lecture: the primary loses the
// view server but still reaches its backup and its clients. The view server
// promotes the backup while the old primary may still believe it leads.
import { cutFault, needsPrimary, pairsAcross, viewserverNodes, type NemesisFactory } from './nemesis.ts';
import { needsViewserver } from './viewserverFaults.ts';

export const primaryFromViewserver: NemesisFactory = {
  summary: 'cut the current primary off from the view server only',
  partitionModes: true,
  unsupported: (def) => needsPrimary(def) ?? needsViewserver(def),
  create: (mode) => ({
    kind: 'primary-viewserver',
    async start(ctx) {
      const node = await ctx.cluster.primary();
      const viewservers = viewserverNodes(ctx.cluster.def).filter((id) => id !== node);
      if (node === null) return { value: { primary: null, note: 'no primary known; nothing cut' }, heal: async () => {} };
      return cutFault(ctx, pairsAcross([node], viewservers), mode, { primary: node, viewservers });
    },
  }),
};
