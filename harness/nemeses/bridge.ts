// Jepsen's bridge: two halves that cannot talk to each other, except through
// one node in the middle that reaches both. Majorities overlap in that node.
import { cutFault, pairsAcross, shuffled, type NemesisFactory } from './nemesis.ts';

export const bridge: NemesisFactory = {
  summary: 'two halves joined only through one bridge node',
  partitionModes: true,
  unsupported: (def) => (def.nodes.length < 3 ? 'needs at least three nodes' : null),
  create: (mode) => ({
    kind: 'bridge',
    async start(ctx) {
      const nodes = shuffled(ctx.cluster.nodeIds(), ctx);
      const half = Math.floor(nodes.length / 2);
      const left = nodes.slice(0, half);
      const [bridgeNode, ...right] = nodes.slice(half);
      return cutFault(ctx, pairsAcross(left, right), mode, { halves: [left, right], bridge: bridgeNode });
    },
  }),
};
