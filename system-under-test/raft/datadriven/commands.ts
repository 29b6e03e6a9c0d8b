import { campaign } from './campaign.ts';
import { crash, restart } from './crash.ts';
import type { Handler } from './harness.ts';
import { members } from './members.ts';
import { cut, heal, isolate } from './partition.ts';
import { propose } from './propose.ts';
import { stabilize } from './stabilize.ts';
import { status } from './status.ts';
import { tick } from './tick.ts';

export const commands: Record<string, Handler> = { members, campaign, propose, stabilize, tick, isolate, cut, heal, crash, restart, status };
