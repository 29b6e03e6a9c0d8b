import { network, showMessage, type Handler } from './harness.ts';

/** `campaign ID`: ID starts an election now; prints the messages it queued. */
export const campaign: Handler = (scene, [id]) => {
  const net = network(scene);
  const before = net.queue.length;
  net.campaign(id);
  return net.queue.slice(before).map(showMessage).join('\n');
};
