// The deposed primary, held in the shape that shows a bug: the primary loses
// the view service, so a new view forms without it, and loses one client
// node, whose clients fail over to the new primary; the other client nodes
// still reach the old primary and still name it in their cached views (a
// coordinator looks for a new primary only when the old one fails it). An old
// primary that answers anything from its own copy is caught by the next read.
// primary-viewserver alone often fails every coordinator over at once.
import { cutFault, needsPrimary, pairsAcross, viewserverNodes, type NemesisFactory } from './nemesis.ts';
import { needsViewserver } from './viewserverFaults.ts';

export const depose: NemesisFactory = {
  summary: 'cut the current primary off from the view server and from one client node (the others keep it)',
  partitionModes: true,
  unsupported: (def) => needsPrimary(def) ?? needsViewserver(def) ?? (def.clientNodes.length < 2 ? 'needs two client nodes: one to fail over, one to keep the deposed primary' : null),
  create: (mode) => ({
    kind: 'depose',
    async start(ctx) {
      const node = await ctx.cluster.primary();
      if (node === null) return { value: { primary: null, note: 'no primary known; nothing cut' }, heal: async () => {} };
      const clients = ctx.cluster.def.clientNodes.filter((c) => c !== node);
      const away = clients[ctx.pick(clients.length)];
      const viewservers = viewserverNodes(ctx.cluster.def).filter((id) => id !== node);
      return cutFault(ctx, pairsAcross([node], [...viewservers, away]), mode, { primary: node, viewservers, clientNode: away });
    },
  }),
};
