import { PING_INTERVAL_MS } from '../config.ts';
import type { Handler } from './harness.ts';
import type { ViewService } from '../viewservice.ts';
import { showView } from './view.ts';

/**
 * `tick N [SERVER=VIEWNUM|ack ...]`: N ping intervals; in each, the listed
 * servers ping (the others are silent). Prints every view change it saw.
 */
export const tick: Handler = ({ net, held }, [count, ...pings]) => {
  const vs = () => net.node<ViewService>('vs').view;
  const changes: string[] = [];
  let last = vs().viewnum;
  for (let i = 0; i < Number(count); i++) {
    for (const p of pings) {
      const [server, how] = p.split('=');
      const viewnum = how === 'ack' ? (held.get(server) ?? 0) : Number(how);
      net.send(server, 'vs', { type: 'ping', msg_id: 1, viewnum });
      net.stabilize();
      const reply = net.take(server).at(-1)!;
      held.set(server, reply.viewnum as number);
    }
    net.advance(PING_INTERVAL_MS);
    if (vs().viewnum !== last) {
      changes.push(`tick ${i + 1}: ${showView(vs())}`);
      last = vs().viewnum;
    }
  }
  return changes.length === 0 ? `no change (${showView(vs())})` : changes.join('\n');
};
