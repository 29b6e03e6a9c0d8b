import { network, type Handler } from './harness.ts';

/** `crash ID`: ID loses its memory (its disk stays); messages to it are lost. */
export const crash: Handler = (scene, [id]) => {
  network(scene).crash(id);
  return '';
};

/** `restart ID`: ID starts again from what it persisted; prints what it reloaded. */
export const restart: Handler = (scene, [id]) => {
  const net = network(scene);
  net.restart(id);
  const r = net.raft(id);
  return `${id} reloaded term=${r.term} vote=${r.vote ?? '-'} last=${r.log.lastIndex}/${r.log.lastTerm}`;
};
