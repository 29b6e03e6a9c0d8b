// The scene of the view service's datadriven tests (../testdata, format in
// ../../datadriven/transcript.ts): one view service on the in-memory network,
// with servers played by the commands. One handler file per command.
import type { Handler as TranscriptHandler } from '../../datadriven/transcript.ts';
import { SimNetwork } from '../../runtime/simnet.ts';
import { ViewService } from '../viewservice.ts';

export interface Scene {
  net: SimNetwork;
  /** The view number each server last got back, for `ack` pings. */
  held: Map<string, number>;
}

export function newScene(): Scene {
  const net = new SimNetwork({ seed: 1 });
  net.add('vs', [], (env) => new ViewService(env));
  return { net, held: new Map() };
}

export type Handler = TranscriptHandler<Scene>;
