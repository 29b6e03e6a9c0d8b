// Randomized safety: the whole view-server design on the in-memory network,
// with concurrent clients, message loss, reordering and latency, cuts,
// isolations, latency with jitter, pauses (view server included) and crash/restart of servers and
// coordinators. Whatever happens, the recorded history must be linearizable.
// Seeds come from fast-check (seeded; on failure it prints the seed to
// replay with SIM_SEED=... ).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkLinearizable } from '../testing/linearizability.ts';
import { COORDINATORS, NODES, SERVERS, SimClients, simCluster } from './simcluster.ts';

const STEP_MS = 10;

function simulate(seed: number, durationMs: number) {
  const net = simCluster(seed, { linger: 0.15 });
  const r = net.random;
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const clients = new SimClients(net, ['p0', 'p1', 'p2', 'p3'], ['a', 'b']);
  const later: { at: number; run: () => void }[] = [];
  const faults: string[] = [];
  net.advance(1000); // let the first views form
  const end = net.now + durationMs;
  while (net.now < end) {
    clients.step(true);
    if (r() < STEP_MS / 250) {
      const dice = r();
      const a = pick(NODES);
      const b = pick(NODES.filter((n) => n !== a));
      if (dice < 0.05) {
        const s = pick(SERVERS);
        net.cut(s, 'vs');
        faults.push(`${net.now} cut ${s} vs`);
      } else if (dice < 0.1) {
        const s = pick(SERVERS);
        const t = pick(SERVERS.filter((x) => x !== s));
        net.cut(s, t);
        faults.push(`${net.now} cut ${s} ${t}`);
      } else if (dice < 0.2) {
        net.cut(a, b);
        faults.push(`${net.now} cut ${a} ${b}`);
      } else if (dice < 0.35) {
        net.isolate(a, [...NODES, 'p0', 'p1', 'p2', 'p3']);
        faults.push(`${net.now} isolate ${a}`);
      } else if (dice < 0.45) {
        net.drop(a, b, 0.5);
        faults.push(`${net.now} drop ${a}->${b}`);
      } else if (dice < 0.6) {
        const victim = pick([...SERVERS, ...COORDINATORS]);
        net.crash(victim);
        faults.push(`${net.now} crash ${victim}`);
        later.push({ at: net.now + 200 + r() * 1500, run: () => (net.restart(victim), faults.push(`${net.now} restart ${victim}`)) });
      } else if (dice < 0.68) {
        const ms = Math.floor(r() * 400);
        net.latency('*', '*', ms, Math.floor(r() * ms));
        faults.push(`${net.now} latency ${ms}`);
      } else if (dice < 0.8) {
        net.pause(a);
        faults.push(`${net.now} pause ${a}`);
        later.push({ at: net.now + 200 + r() * 2000, run: () => (net.resume(a), faults.push(`${net.now} resume ${a}`)) });
      } else {
        net.heal();
        faults.push(`${net.now} heal`);
      }
    }
    for (const job of later.filter((j) => j.at <= net.now)) {
      later.splice(later.indexOf(job), 1);
      job.run();
    }
    net.advance(STEP_MS);
  }
  // Heal everything and let the clients finish what they started.
  net.heal();
  for (const job of later) job.run();
  for (let i = 0; i < 1000 && !clients.idle; i++) {
    clients.step(false);
    net.advance(STEP_MS);
  }
  clients.finish();
  return { history: clients.history, faults, logs: net.logs };
}

describe('view-server design under random faults (in-memory network)', () => {
  it('every history is linearizable', () => {
    let okOps = 0;
    let totalOps = 0;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const { history, faults, logs } = simulate(seed, 6000);
        totalOps += history.length;
        if (process.env.SIM_VERBOSE) console.log(seed, history.length, ["ok", "fail", "info"].map((s) => history.filter((o) => o.status === s).length), faults.length);
        okOps += history.filter((o) => o.status === 'ok').length;
        const result = checkLinearizable(history);
        if (!result.ok) {
          const ops = result.ops.map((o) => JSON.stringify(o)).join('\n');
          throw new Error(`seed ${seed}: key ${result.key} not linearizable\n${ops}\nfaults:\n${faults.join('\n')}\nlogs:\n${logs.slice(-200).join('\n')}`);
        }
      }),
      { seed: Number(process.env.SIM_SEED ?? 20261127), numRuns: Number(process.env.SIM_RUNS ?? 25), endOnFailure: true },
    );
    // Not a liveness claim, only a guard against a test that checks nothing.
    expect(okOps).toBeGreaterThan(totalOps / 10);
  });
});
