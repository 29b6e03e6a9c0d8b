// The worst partition of the primary/backup lecture: the primary loses the
// view server but still reaches its backup and its clients. The view server
// promotes the backup while the old primary may still believe it leads.
import { cutFault, pairsAcross, type NemesisFactory } from './nemesis.ts';

export const primaryFromViewserver: NemesisFactory = {
  summary: 'cut the current primary off from the view server only',
  partitionModes: true,
  unsupported: (def) => {
    if (def.primary === undefined) return 'the system definition has no "primary" field to ask who is primary';
    if (!def.nodes.some((n) => n.role === 'viewserver')) return 'no node has role "viewserver"';
    return null;
  },
  create: (mode) => ({
    kind: 'primary-viewserver',
    async start(ctx) {
      const node = await ctx.cluster.primary();
      const viewservers = ctx.cluster.def.nodes.filter((n) => n.role === 'viewserver' && n.id !== node).map((n) => n.id);
      if (node === null) return { value: { primary: null, note: 'no primary known; nothing cut' }, heal: async () => {} };
      return cutFault(ctx, pairsAcross([node], viewservers), mode, { primary: node, viewservers });
    },
  }),
};
