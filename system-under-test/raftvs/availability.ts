// How long are clients without service when the replicated design loses a
// view-service replica, a server, or both? Virtual time on the in-memory
// network (so machine speed plays no part), over many seeds: from the fault to
// the first write that succeeds through a coordinator. A measurement tool,
// not a test:
//   npx tsx system-under-test/raftvs/availability.ts [--seeds 50]
import type { SimNetwork } from '../runtime/simnet.ts';
import { request, simCluster } from '../viewserver/simcluster.ts';
import { raftDesign } from './simDesign.ts';

const design = raftDesign();

const faults: Record<string, (net: SimNetwork) => void> = {
  'crash the view-service leader': (net) => net.crash(design.viewServiceLeader(net)!),
  'crash the primary': (net) => net.crash(design.currentView(net).primary!),
  'crash the view-service leader and the primary': (net) => {
    net.crash(design.currentView(net).primary!);
    net.crash(design.viewServiceLeader(net)!);
  },
  'isolate the view-service leader, crash the primary': (net) => {
    net.crash(design.currentView(net).primary!);
    net.isolate(design.viewServiceLeader(net)!);
  },
  'pause the view-service leader, crash the primary': (net) => {
    net.crash(design.currentView(net).primary!);
    net.pause(design.viewServiceLeader(net)!);
  },
};

/** Virtual ms from the fault to the first successful write through c1 (null: none in 20 s). */
function outage(seed: number, fault: (net: SimNetwork) => void): number | null {
  const net = simCluster(seed, { design });
  net.advance(design.warmupMs);
  if (request(net, 'client', 'c1', { type: 'write', key: 'k', value: 0 })?.type !== 'write_ok') throw new Error(`seed ${seed}: no write before the fault`);
  fault(net);
  const t0 = net.now;
  for (let v = 1; net.now - t0 < 20_000; v++) {
    if (request(net, 'client', 'c1', { type: 'write', key: 'k', value: v }, 3000)?.type === 'write_ok') return net.now - t0;
  }
  return null;
}

function main(argv: string[]): number {
  const i = argv.indexOf('--seeds');
  const seeds = i >= 0 ? Number(argv[i + 1]) : 50;
  if (!Number.isInteger(seeds) || seeds < 1 || argv.some((a, j) => a !== '--seeds' && j !== i + 1)) {
    console.error('usage: availability.ts [--seeds N]');
    return 2;
  }
  for (const [name, fault] of Object.entries(faults)) {
    const got = Array.from({ length: seeds }, (_, s) => outage(s + 1, fault));
    const done = got.filter((g): g is number => g !== null).sort((a, b) => a - b);
    const q = (p: number) => done[Math.min(done.length - 1, Math.floor(p * done.length))];
    console.log(`${name}: writes resume in ${done.length}/${seeds} runs; ms to the first write: min ${done[0]}, median ${q(0.5)}, p90 ${q(0.9)}, max ${done.at(-1)}`);
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
