// Kill a random node that holds state (SIGKILL to its process group; see
// stateNodes for the choice) and restart it with the same command on heal: it
// comes back with whatever it persisted, which for in-memory stores is nothing.
import { stateNodes, type NemesisFactory } from './nemesis.ts';

export const kill: NemesisFactory = {
  summary: 'SIGKILL a random state-holding node (not a lone view server), restart it on heal',
  partitionModes: false,
  create: () => ({
    kind: 'kill',
    async start(ctx) {
      const candidates = stateNodes(ctx.cluster.def, { excludeViewserver: true });
      const node = candidates[ctx.pick(candidates.length)];
      await ctx.cluster.kill(node);
      return { value: { node }, heal: () => ctx.cluster.restart(node) };
    },
  }),
};
