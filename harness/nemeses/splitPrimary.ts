// A split brain's best chance: the primary and one client node on one side,
// everything else (the view service, the other servers, the other client
// nodes) on the other. The far side forms a new view and serves; the near
// side's clients keep reaching the old primary, which must serve nothing the
// new one has overwritten. With a replicated view service, one replica may
// stay with the primary too (a minority, which must decide nothing).
import { cutFault, needsPrimary, pairsAcross, viewserverNodes, type NemesisFactory } from './nemesis.ts';

export const splitPrimary: NemesisFactory = {
  summary: 'two sides: the current primary and one client node (and, with 3+ view-service replicas, maybe one) against the rest',
  partitionModes: true,
  unsupported: (def) => needsPrimary(def) ?? (def.clientNodes.length < 2 ? 'needs two client nodes, one for each side' : null),
  create: (mode) => ({
    kind: 'split-primary',
    async start(ctx) {
      const node = await ctx.cluster.primary();
      if (node === null) return { value: { primary: null, note: 'no primary known; nothing cut' }, heal: async () => {} };
      const clients = ctx.cluster.def.clientNodes.filter((c) => c !== node);
      const near = [node, clients[ctx.pick(clients.length)]];
      // A minority replica beside the old primary: the view it may still hold must not reach anyone as decided.
      const replicas = viewserverNodes(ctx.cluster.def).filter((id) => id !== node);
      if (replicas.length >= 3 && ctx.pick(2) === 0) near.push(replicas[ctx.pick(replicas.length)]);
      const far = ctx.cluster.nodeIds().filter((n) => !near.includes(n));
      return cutFault(ctx, pairsAcross(near, far), mode, { halves: [near, far] });
    },
  }),
};
