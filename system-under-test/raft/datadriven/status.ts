import { network, showEntry, type Handler } from './harness.ts';

/** `status`: each member's role, term, vote, leader, commit index and log. */
export const status: Handler = (scene) => {
  const net = network(scene);
  return net.members
    .map((id) => {
      if (!net.running(id)) return `${id}: down`;
      const r = net.raft(id);
      return `${id}: ${r.role} term=${r.term} vote=${r.vote ?? '-'} lead=${r.lead ?? '-'} commit=${r.commit} log=[${r.log.slice(1).map(showEntry).join(' ')}]`;
    })
    .join('\n');
};
