import { network, type Handler } from './harness.ts';

/** `propose ID DATA`: prints the index ID appended DATA at, or that it is not the leader. */
export const propose: Handler = (scene, [id, data]) => {
  const index = network(scene).propose(id, data);
  return index === null ? `${id} is not the leader` : `${id} appended index ${index}`;
};
