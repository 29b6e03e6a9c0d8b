// Isolate one random node from every other node. Its client link stays up:
// clients talking to a cut-off node is how split brains show.
import { cutFault, pairsAcross, type NemesisFactory } from './nemesis.ts';

export const isolateNode: NemesisFactory = {
  summary: 'cut one random node off from all other nodes (clients still reach it)',
  partitionModes: true,
  unsupported: (def) => (def.nodes.length < 2 ? 'needs at least two nodes' : null),
  create: (mode) => ({
    kind: 'isolate',
    async start(ctx) {
      const ids = ctx.cluster.nodeIds();
      const node = ids[ctx.pick(ids.length)];
      return cutFault(ctx, pairsAcross([node], ids.filter((n) => n !== node)), mode, { node });
    },
  }),
};
