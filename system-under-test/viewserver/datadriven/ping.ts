import type { Handler } from './harness.ts';
import { showView } from './view.ts';

/** `ping SERVER VIEWNUM|ack`: one ping; prints the view in the reply. */
export const ping: Handler = (scene, [server, how]) => {
  const { net, held } = scene;
  const viewnum = how === 'ack' ? (held.get(server) ?? 0) : Number(how);
  if (!Number.isInteger(viewnum)) throw new Error(`ping: VIEWNUM must be an integer or ack, got '${how}'`);
  net.send(server, 'vs', { type: 'ping', msg_id: 1, viewnum });
  net.stabilize();
  const reply = net.take(server).at(-1)!;
  const v = { viewnum: reply.viewnum as number, primary: reply.primary as string | null, backups: reply.backups as string[] };
  held.set(server, v.viewnum);
  return showView(v);
};
