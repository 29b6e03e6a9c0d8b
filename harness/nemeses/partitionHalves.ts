// Jepsen's partition-random-halves: shuffle the nodes, cut the first half
// (rounded down) off from the rest.
import { cutFault, pairsAcross, shuffled, type NemesisFactory } from './nemesis.ts';

export const partitionHalves: NemesisFactory = {
  summary: 'cut the nodes into two random halves',
  partitionModes: true,
  unsupported: (def) => (def.nodes.length < 2 ? 'needs at least two nodes' : null),
  create: (mode) => ({
    kind: 'partition',
    async start(ctx) {
      const nodes = shuffled(ctx.cluster.nodeIds(), ctx);
      const half = Math.floor(nodes.length / 2);
      const [left, right] = [nodes.slice(0, half), nodes.slice(half)];
      return cutFault(ctx, pairsAcross(left, right), mode, { halves: [left, right] });
    },
  }),
};
