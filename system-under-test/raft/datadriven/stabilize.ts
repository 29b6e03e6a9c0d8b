import { network, showMessage, type Handler } from './harness.ts';

/** `stabilize`: delivers until quiet (cut links lose their messages); prints each message delivered. */
export const stabilize: Handler = (scene) => {
  const net = network(scene);
  const before = net.delivered.length;
  net.stabilize();
  return net.delivered.slice(before).map(showMessage).join('\n');
};
