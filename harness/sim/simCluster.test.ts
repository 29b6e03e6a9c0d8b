// The simulation engine through the same runOnce as real processes: a run is
// a pure function of (system, options, seed), the built-in designs get the
// verdicts they claim, and what the simulator cannot run is refused in one line.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseHistory } from '../../checkers/index.ts';
import { parseNemesis } from '../nemeses/index.ts';
import { DefinitionError, loadSystem } from '../system/definition.ts';
import { defaultWorkload } from '../torture/matrix.ts';
import { runOnce, type RunConfig } from '../torture/run.ts';
import { loadSimRoles } from './roles.ts';
import { shrinkSchedule } from './shrink.ts';
import { SimCluster } from './simCluster.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = mkdtempSync(join(tmpdir(), 'sb-sim-'));

// A cooler workload than the default: what these tests show does not depend on the rate, and it keeps them quick.
const testWorkload = { ...defaultWorkload, rate: 200, concurrency: 8 };

function simRun(system: string, nemesis: string, seed: number, extra: Partial<RunConfig> = {}) {
  return runOnce({ ...testWorkload, system: loadSystem(system), nemesis, seed, runDir: join(out, `${system}-${nemesis}-${seed}-${Math.random()}`), command: 'test', engine: 'sim', keepFiles: 'always', ...extra });
}

describe('a simulated run is a pure function of its seed', () => {
  it('the same seed gives byte-identical histories; another seed differs', async () => {
    const a = await simRun('viewserver', 'isolate-primary+pause', 11, { historyOnly: true });
    const b = await simRun('viewserver', 'isolate-primary+pause', 11, { historyOnly: true });
    const c = await simRun('viewserver', 'isolate-primary+pause', 12, { historyOnly: true });
    const bytes = (p: string | null) => readFileSync(p!, 'utf8');
    expect(bytes(a.historyPath)).toBe(bytes(b.historyPath));
    expect(bytes(a.historyPath)).not.toBe(bytes(c.historyPath));
    // And the history is one the checker accepts, with virtual times.
    const parsed = parseHistory(bytes(a.historyPath));
    expect(parsed.events.length).toBeGreaterThan(1000);
    // Virtual time starts with the run: the first operation is invoked at once, the last well after 20 s.
    expect(parsed.events[0].time).toBeLessThan(1e9);
    expect(parsed.events.at(-1)!.time).toBeGreaterThan(20e9);
    expect(parsed.events.at(-1)!.time).toBeLessThan(40e9);
  });

  it('the recorded schedule replays the run exactly', async () => {
    const first = await simRun('naive', 'latency', 5, { historyOnly: true });
    const replay = await simRun('naive', 'latency', 5, { historyOnly: true, schedule: first.schedule });
    expect(readFileSync(replay.historyPath!, 'utf8')).toBe(readFileSync(first.historyPath!, 'utf8'));
  });
});

describe('the built-in designs in simulation', () => {
  it('catches naive under latency and failover under partition, and shrinks each to a handful of operations and faults', async () => {
    for (const [system, nemesis] of [['naive', 'latency'], ['failover', 'partition']]) {
      let found: Awaited<ReturnType<typeof simRun>> | undefined;
      for (let seed = 1; seed <= 10 && found === undefined; seed++) {
        const r = await simRun(system, nemesis, seed, { keepFiles: 'never', explain: false });
        if (r.valid === false) found = r;
      }
      expect(found, `${system} × ${nemesis}: no violation in seeds 1-10`).toBeDefined();
      const base = { keepFiles: 'never' as const, explain: false };
      const shrunk = await shrinkSchedule(found!.schedule, async (schedule) => (await simRun(system, nemesis, found!.seed, { ...base, schedule })).valid === false, { timeLimitMs: Infinity, fineAttempts: 30, seed: 1 });
      const ops = shrunk.schedule.slots.flat().length;
      expect({ system, ops: ops <= 10, faults: shrunk.schedule.cycles.length <= 2 }).toEqual({ system, ops: true, faults: true });
      // The shrunk schedule fails on its own, every time.
      expect((await simRun(system, nemesis, found!.seed, { ...base, schedule: shrunk.schedule })).valid).toBe(false);
    }
  }, 180_000);

  it('the view-server design passes every nemesis the simulator has', { timeout: 120_000 }, async () => {
    for (const nemesis of ['isolate-primary', 'primary-viewserver', 'kill', 'pause', 'lose', 'reorder', 'duplicate']) {
      const r = await simRun('viewserver', nemesis, 3, { keepFiles: 'never' });
      expect({ nemesis, valid: r.valid, reason: r.unknownReason }).toEqual({ nemesis, valid: true, reason: null });
    }
  });

  it('a killed node loses its clients\' connections (info) and refuses new ones until restarted', async () => {
    const def = loadSystem('viewserver');
    const cluster = await SimCluster.start(def, { seed: 1, roles: await loadSimRoles(def) });
    try {
      await cluster.clock.sleep(1000);
      const conn = await cluster.connect('c1', 1000);
      if ('error' in conn) throw new Error(conn.error);
      const pending = conn.invoke({ f: 'write', key: 'k0', value: 1, delayMs: 0 }, 3000);
      await cluster.kill('c1');
      expect(await pending).toMatchObject({ type: 'info' });
      expect(await cluster.connect('c1', 1000)).toEqual({ error: 'ECONNREFUSED' });
      await cluster.restart('c1');
      await cluster.clock.sleep(500);
      const again = await cluster.connect('c1', 1000);
      if ('error' in again) throw new Error(again.error);
      expect(await again.invoke({ f: 'write', key: 'k0', value: 2, delayMs: 0 }, 3000)).toEqual({ type: 'ok', value: 2 });
    } finally {
      await cluster.stop();
    }
  });
});

describe('the virtual clock', () => {
  it('an abort ends the sleeps on its signal at once, in the order they began, and no others', async () => {
    const def = loadSystem('viewserver');
    const cluster = await SimCluster.start(def, { seed: 1, roles: await loadSimRoles(def) });
    try {
      const controller = new AbortController();
      const woke: string[] = [];
      const sleep = (name: string, ms: number, signal?: AbortSignal) => cluster.clock.sleep(ms, signal).then(() => woke.push(`${name}@${cluster.clock.now()}`));
      const sleeps = [sleep('a', 5000, controller.signal), sleep('b', 3000, controller.signal), sleep('c', 4000, controller.signal), sleep('free', 2000)];
      await cluster.clock.sleep(1000, controller.signal);
      const abortedAt = cluster.clock.now();
      controller.abort();
      await Promise.all(sleeps);
      expect(woke).toEqual([`a@${abortedAt}`, `b@${abortedAt}`, `c@${abortedAt}`, 'free@2000']);
    } finally {
      await cluster.stop();
    }
  });
});

describe('what the simulator cannot run is refused in one line', () => {
  it('a system given only as commands', async () => {
    const def = loadSystem(join(root, 'examples', 'kvstore', 'system.json'));
    await expect(loadSimRoles(def)).rejects.toThrow(DefinitionError);
    await expect(loadSimRoles(def)).rejects.toThrow(/cannot run in simulation: its nodes are given only as commands/);
  });

  it('message-level faults on real processes', () => {
    expect(() => parseNemesis('lose', loadSystem('viewserver'), 'processes')).toThrow(/lose.*cannot run against viewserver: message-level faults need the simulator/);
    expect(parseNemesis('lose+reorder', loadSystem('viewserver'), 'sim')).toHaveLength(2);
  });
});
