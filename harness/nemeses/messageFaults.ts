// Faults on single messages, which only the simulator can give exactly (a
// TCP connection never loses, duplicates or reorders its own bytes): on every
// link between nodes, each message is lost, delivered twice, or delivered out
// of order. Real processes refuse them with one line.
import type { MessageFaults } from '../engine/cluster.ts';
import type { NemesisFactory } from './nemesis.ts';

export const LOSS_P = 0.2;
export const DUPLICATE_P = 0.2;
export const REORDER_SPREAD_MS = 50;

function messageFault(kind: string, summary: string, act: (f: MessageFaults, links: Parameters<MessageFaults['lose']>[0]) => Promise<void>, value: Record<string, unknown>): NemesisFactory {
  return {
    summary: `${summary} (simulation only)`,
    partitionModes: false,
    unsupported: (_def, engine) => (engine === 'sim' ? null : 'message-level faults need the simulator (--sim): a TCP connection never loses, duplicates or reorders its own messages'),
    create: () => ({
      kind,
      async start(ctx) {
        const faults = ctx.cluster.messageFaults;
        if (faults === undefined) throw new Error(`${kind}: this engine has no message-level faults`);
        const links = ctx.cluster.nodeLinks();
        await act(faults, links);
        return { value: { ...value, links: links.map((l) => l.name) }, heal: () => ctx.cluster.healNetwork() };
      },
    }),
  };
}

export const lose = messageFault('lose', `lose each message between nodes with probability ${LOSS_P}`, (f, l) => f.lose(l, LOSS_P), { p: LOSS_P });
export const duplicate = messageFault('duplicate', `deliver each message between nodes twice with probability ${DUPLICATE_P}`, (f, l) => f.duplicate(l, DUPLICATE_P), { p: DUPLICATE_P });
export const reorder = messageFault('reorder', `deliver messages between nodes in random order, within ${REORDER_SPREAD_MS} ms`, (f, l) => f.reorder(l, REORDER_SPREAD_MS), { spreadMs: REORDER_SPREAD_MS });
