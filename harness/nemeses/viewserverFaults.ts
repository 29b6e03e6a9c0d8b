// Faults on the view service, the lecture's last question ("what happens if
// the view server fails?"): kill it (restarted on heal, with whatever it
// persisted), pause it, or cut it off from every other node. The target is a
// node with role "viewserver"; with a replicated view service, one replica,
// seeded: the leader when the definition says how to ask for it.
import type { NemesisContext, NemesisFactory } from './nemesis.ts';
import { cutFault, pairsAcross, viewserverNodes } from './nemesis.ts';
import type { SystemDefinition } from '../system/definition.ts';

export const needsViewserver = (def: SystemDefinition) => (viewserverNodes(def).length === 0 ? 'no node has role "viewserver"' : null);

/** The replica to hit: the view-service leader if the system names one, else a seeded pick. */
export async function viewserverTarget(ctx: NemesisContext): Promise<string> {
  const ids = viewserverNodes(ctx.cluster.def);
  const leader = ids.length > 1 ? await ctx.cluster.viewserverLeader?.() : null;
  return leader && ids.includes(leader) ? leader : ids[ctx.pick(ids.length)];
}

export const killViewserver: NemesisFactory = {
  summary: 'SIGKILL the view server (a replica: the leader if known), restart it on heal',
  partitionModes: false,
  unsupported: needsViewserver,
  create: () => ({
    kind: 'kill-viewserver',
    async start(ctx) {
      const node = await viewserverTarget(ctx);
      await ctx.cluster.kill(node);
      return { value: { node }, heal: () => ctx.cluster.restart(node) };
    },
  }),
};

export const pauseViewserver: NemesisFactory = {
  summary: 'SIGSTOP the view server (a replica: the leader if known), SIGCONT on heal',
  partitionModes: false,
  unsupported: needsViewserver,
  create: () => ({
    kind: 'pause-viewserver',
    async start(ctx) {
      const node = await viewserverTarget(ctx);
      await ctx.cluster.pause(node);
      return { value: { node }, heal: () => ctx.cluster.resume(node) };
    },
  }),
};

export const isolateViewserver: NemesisFactory = {
  summary: 'cut the view server (a replica: the leader if known) off from all other nodes',
  partitionModes: true,
  unsupported: needsViewserver,
  create: (mode) => ({
    kind: 'isolate-viewserver',
    async start(ctx) {
      const node = await viewserverTarget(ctx);
      const others = ctx.cluster.nodeIds().filter((n) => n !== node);
      return cutFault(ctx, pairsAcross([node], others), mode, { node });
    },
  }),
};
