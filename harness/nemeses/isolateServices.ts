// Cut one random Maelstrom node off from every service (lin-kv, seq-kv,
// lww-kv, lin-tso): the storage a node leans on becomes unreachable while
// the node, its peers and its clients carry on. The node partitions leave
// services reachable, as Maelstrom's do; this is the fault they do not give.
import { cutFault, type NemesisFactory } from './nemesis.ts';

export const isolateServices: NemesisFactory = {
  summary: 'cut one random node off from the Maelstrom services (lin-kv, seq-kv, ...)',
  partitionModes: true,
  unsupported: (def) => (def.protocol !== 'maelstrom' ? 'only Maelstrom nodes ("protocol": "maelstrom") have services' : null),
  create: (mode) => ({
    kind: 'isolate-services',
    async start(ctx) {
      const ids = ctx.cluster.nodeIds();
      // A link leading to something that is not a node leads to a service.
      const services = [...new Set(ctx.cluster.nodeLinks().map((l) => l.to).filter((to) => !ids.includes(to)))];
      const node = ids[ctx.pick(ids.length)];
      return cutFault(ctx, services.map((s): [string, string] => [node, s]), mode, { node });
    },
  }),
};
