// Latency with jitter on every link between nodes: each chunk is delayed by
// latency ± jitter, so messages on different connections overtake each other.
import type { NemesisFactory } from './nemesis.ts';

export const LATENCY_MS = 100;
export const JITTER_MS = 100;

export const latency: NemesisFactory = {
  summary: `add ${LATENCY_MS} ms ± ${JITTER_MS} ms to every link between nodes (reorders messages; fault proxy only)`,
  partitionModes: false,
  // Packet rules can drop and refuse but not delay (no tc netem): say so before the run, in one line.
  unsupported: (def, engine) =>
    engine === 'processes' && def.network === 'kernel' ? 'latency needs the fault proxy, and this system uses the kernel network backend (packet rules cut links but cannot delay them)' : null,
  create: () => ({
    kind: 'latency',
    async start(ctx) {
      const links = ctx.cluster.nodeLinks();
      await ctx.cluster.addLatency(links, LATENCY_MS, JITTER_MS);
      return {
        value: { latencyMs: LATENCY_MS, jitterMs: JITTER_MS, links: links.map((l) => l.name) },
        heal: () => ctx.cluster.healNetwork(),
      };
    },
  }),
};
