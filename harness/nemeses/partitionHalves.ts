// Jepsen's partition-random-halves: cut the nodes into two halves (the first
// rounded down). When the system has two or more client nodes, each half gets
// at least one of them: a split that clients can only see from one side tests
// availability, not safety, and split brains need clients on both sides.
import { cutFault, pairsAcross, shuffled, type NemesisContext, type NemesisFactory } from './nemesis.ts';

export function randomHalves(nodes: string[], clientNodes: string[], ctx: NemesisContext): [string[], string[]] {
  const half = Math.floor(nodes.length / 2);
  const clients = shuffled(nodes.filter((n) => clientNodes.includes(n)), ctx);
  const others = shuffled(nodes.filter((n) => !clientNodes.includes(n)), ctx);
  if (clients.length < 2 || half === 0) {
    const all = shuffled(nodes, ctx);
    return [all.slice(0, half), all.slice(half)];
  }
  // Client nodes on the left: at least one, leaving at least one for the right.
  let leftClients = Math.max(1, Math.min(clients.length - 1, Math.floor(clients.length / 2), half));
  // Too few other nodes to fill the left half: take more client nodes (half <= n/2 keeps one for the right).
  leftClients += Math.max(0, half - leftClients - others.length);
  const left = [...clients.slice(0, leftClients), ...others.slice(0, half - leftClients)];
  const right = nodes.filter((n) => !left.includes(n));
  return [left, right];
}

export const partitionHalves: NemesisFactory = {
  summary: 'cut the nodes into two random halves, client nodes on both sides',
  partitionModes: true,
  unsupported: (def) => (def.nodes.length < 2 ? 'needs at least two nodes' : null),
  create: (mode) => ({
    kind: 'partition',
    async start(ctx) {
      const [left, right] = randomHalves(ctx.cluster.nodeIds(), ctx.cluster.def.clientNodes, ctx);
      return cutFault(ctx, pairsAcross(left, right), mode, { halves: [left, right] });
    },
  }),
};
