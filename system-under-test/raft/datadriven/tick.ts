import { network, type Handler } from './harness.ts';

/**
 * `tick ID|all N`: N ticks of one member (messages stay queued) or N rounds of
 * all members (each round delivered until quiet). Prints role changes.
 */
export const tick: Handler = (scene, [who, count]) => {
  const net = network(scene);
  const roles = () => net.members.map((id) => (net.running(id) ? `${id}:${net.raft(id).role}@${net.raft(id).term}` : `${id}:down`));
  const before = roles();
  if (who === 'all') net.tickAll(Number(count));
  else net.tick(who, Number(count));
  const after = roles();
  const changed = after.filter((r, i) => r !== before[i]);
  return changed.length === 0 ? 'no change' : changed.join(' ');
};
