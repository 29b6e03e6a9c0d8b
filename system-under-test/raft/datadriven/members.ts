import { RaftNetwork } from '../network.ts';
import type { Handler } from './harness.ts';

/** `members ID... [seed=N]`: a fresh network of cores (election timeout 10 ticks, heartbeat 1). */
export const members: Handler = (scene, args) => {
  const seed = Number(args.find((a) => a.startsWith('seed='))?.slice(5) ?? 1);
  scene.net = new RaftNetwork(args.filter((a) => !a.includes('=')), { seed });
  return '';
};
