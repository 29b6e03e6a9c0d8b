// Pause a random state-holding node (see stateNodes) with SIGSTOP and resume it with SIGCONT: a process that
// stalls (GC, swapped out, VM migrated) and wakes up believing nothing happened.
import { stateNodes, type NemesisFactory } from './nemesis.ts';

export const pause: NemesisFactory = {
  summary: 'SIGSTOP a random state-holding node (view server included), SIGCONT on heal',
  partitionModes: false,
  create: () => ({
    kind: 'pause',
    async start(ctx) {
      const ids = stateNodes(ctx.cluster.def, { excludeViewserver: false });
      const node = ids[ctx.pick(ids.length)];
      await ctx.cluster.pause(node);
      return { value: { node }, heal: () => ctx.cluster.resume(node) };
    },
  }),
};
