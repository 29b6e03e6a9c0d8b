import type { Handler } from './harness.ts';
import { ping } from './ping.ts';
import { tick } from './tick.ts';
import { view } from './view.ts';

export const commands: Record<string, Handler> = { ping, tick, view };
