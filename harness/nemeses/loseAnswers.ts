// Lost answers behind the client nodes: on every link from a client node (a
// coordinator) to the nodes it calls, each answer coming back is lost with
// probability LOSE_ANSWERS_P while the requests arrive, so the client node
// retries operations whose first attempt already happened. Retries must keep
// the operation's identity (the duplicate table answers them): one executed
// twice, or answered "failed" after it happened, shows in the history. The
// uniform `lose` loses as many requests, and a request lost before it
// happened tests nothing.
import type { NemesisFactory } from './nemesis.ts';

export const LOSE_ANSWERS_P = 0.6;

export const loseAnswers: NemesisFactory = {
  summary: `lose each answer to a client node from the nodes it calls with probability ${LOSE_ANSWERS_P} (simulation only)`,
  partitionModes: false,
  unsupported: (def, engine) => {
    if (engine !== 'sim') return 'message-level faults need the simulator (--sim): a TCP connection never loses its own messages';
    return def.nodes.some((n) => def.clientNodes.includes(n.id) && n.connectsTo.length > 0) ? null : 'no client node connects to another node';
  },
  create: () => ({
    kind: 'lose-answers',
    async start(ctx) {
      const faults = ctx.cluster.messageFaults;
      if (faults === undefined) throw new Error('lose-answers: this engine has no message-level faults');
      const links = ctx.cluster.nodeLinks().filter((l) => ctx.cluster.def.clientNodes.includes(l.from));
      await faults.loseAnswers(links, LOSE_ANSWERS_P);
      return { value: { p: LOSE_ANSWERS_P, links: links.map((l) => l.name) }, heal: () => ctx.cluster.healNetwork() };
    },
  }),
};
