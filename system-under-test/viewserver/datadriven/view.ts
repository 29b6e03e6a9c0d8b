import type { View } from '../config.ts';
import type { Handler } from './harness.ts';
import type { ViewService } from '../viewservice.ts';

export const showView = (v: View) =>
  `view ${v.viewnum} primary=${v.primary ?? '-'} ${v.backups.length > 1 ? `backups=${v.backups.join(',')}` : `backup=${v.backups[0] ?? '-'}`}`;

/** `view`: the service's current view and whether its primary acknowledged it. */
export const view: Handler = ({ net }) => {
  const vs = net.node<ViewService>('vs');
  return `${showView(vs.view)} acked=${vs.acked}${vs.wedged ? ' wedged' : ''}`;
};
