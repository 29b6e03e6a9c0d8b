// Kill a random replica (SIGKILL to its process group) and restart it with
// the same command on heal: it comes back with whatever it persisted, which
// for in-memory stores is nothing.
import { replicaNodes, type NemesisFactory } from './nemesis.ts';

export const kill: NemesisFactory = {
  summary: 'SIGKILL a random non-viewserver node, restart it on heal',
  partitionModes: false,
  create: () => ({
    kind: 'kill',
    async start(ctx) {
      const candidates = replicaNodes(ctx.cluster.def);
      const node = candidates[ctx.pick(candidates.length)];
      await ctx.cluster.kill(node);
      return { value: { node }, heal: () => ctx.cluster.restart(node) };
    },
  }),
};
