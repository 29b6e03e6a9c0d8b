// Faults on the view service, the lecture's last question ("what happens if
// the view server fails?"): kill it (restarted on heal, with whatever it
// persisted), pause it, or cut it off from every other node. The target is a
// node with role "viewserver"; with a replicated view service, one replica,
// seeded: the leader when the definition says how to ask for it.
import type { NemesisContext, NemesisFactory } from './nemesis.ts';
import { cutFault, pairsAcross, viewserverNodes } from './nemesis.ts';
import type { SystemDefinition } from '../system/definition.ts';

export const needsViewserver = (def: SystemDefinition) => (viewserverNodes(def).length === 0 ? 'no node has role "viewserver"' : null);

/**
 * Who leads a replicated view service, by the definition's `leader` field:
 * each node listed is asked `{"type":"primary"}` and names the leader it
 * follows in its reply's `leader`; the name most of them give wins (a deposed
 * leader may still name itself). null when nobody answers with a replica.
 */
export async function viewserviceLeader(ctx: NemesisContext): Promise<string | null> {
  const ask = ctx.cluster.def.leader?.ask ?? [];
  const replicas = viewserverNodes(ctx.cluster.def);
  const votes = new Map<string, number>();
  const answers = await Promise.all(ask.map((node) => ctx.cluster.ask(node, { type: 'primary' }, 1000)));
  for (const out of answers) {
    const leader = out.kind === 'reply' ? out.body.leader : undefined;
    if (typeof leader === 'string' && replicas.includes(leader)) votes.set(leader, (votes.get(leader) ?? 0) + 1);
  }
  let best: string | null = null;
  for (const [node, n] of votes) if (best === null || n > votes.get(best)!) best = node;
  return best;
}

/** The replica to hit: the view-service leader if the system can say who leads, else a seeded pick. */
export async function viewserverTarget(ctx: NemesisContext): Promise<string> {
  const ids = viewserverNodes(ctx.cluster.def);
  const leader = ids.length > 1 ? await viewserviceLeader(ctx) : null;
  return leader ?? ids[ctx.pick(ids.length)];
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
