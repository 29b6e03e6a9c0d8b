// A failure found in simulation, shrunk, and replayed from its schedule.json:
// exactly in the simulator, and on real processes behind real proxies with
// each operation invoked no earlier than the moment it was in simulation.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseHistory } from '../../checkers/index.ts';
import type { ClientEvent } from '../../checkers/types.ts';
import { readScheduleFile } from './schedule.ts';
import { torture } from './testkit.ts';

/** The one run folder `torture` wrote under `out`. */
function runFolder(out: string): string {
  const [dir] = readdirSync(out);
  return join(out, dir);
}

describe('replaying a shrunk simulated failure', () => {
  it('re-runs it byte for byte in the simulator, and on real processes with the same operations at the same moments', { timeout: 180_000 }, async () => {
    const found = mkdtempSync(join(tmpdir(), 'sb-replay-found-'));
    const sim = await torture(['--sim', '--system', 'naive', '--nemesis', 'latency', '--runs', '2', '--seed', '1', '--time-limit', '8', '--out', found]);
    expect(sim.code, sim.stderr).toBe(0);
    const folder = runFolder(found);
    const schedulePath = join(folder, 'schedule.json');
    const schedule = readScheduleFile(schedulePath);
    const ops = schedule.schedule.slots.flat();
    expect(ops.length).toBeLessThanOrEqual(10);

    const again = mkdtempSync(join(tmpdir(), 'sb-replay-sim-'));
    const replay = await torture(['--replay', schedulePath, '--out', again]);
    expect(replay.stderr).toMatch(/on the simulator/);
    expect(replay.code).toBe(0); // naive caught again: the gate's "as claimed"
    expect(readFileSync(join(runFolder(again), 'history.jsonl'), 'utf8')).toBe(readFileSync(join(folder, 'history.jsonl'), 'utf8'));

    const real = mkdtempSync(join(tmpdir(), 'sb-replay-real-'));
    const onProcesses = await torture(['--replay', schedulePath, '--engine', 'processes', '--out', real]);
    expect(onProcesses.stderr).toMatch(/on real processes/);
    const results = JSON.parse(readFileSync(join(runFolder(real), 'results.json'), 'utf8'));
    expect(results.engine).toBe('processes');
    const events = parseHistory(readFileSync(join(runFolder(real), 'history.jsonl'), 'utf8')).events;
    const invokes = events.filter((e): e is ClientEvent => e.process !== 'nemesis' && e.type === 'invoke');
    // The schedule's operations, each once, before the final reads (all reads, of every key, after the workload).
    const end = events.find((e) => e.process === 'nemesis' && e.f === 'workload-end')!.time;
    const during = invokes.filter((e) => e.time < end);
    expect(during.map((e) => [e.f, e.key, e.value]).sort()).toEqual(ops.map((o) => [o.f, o.key, o.f === 'read' ? null : o.value]).sort());
    // Each no earlier than its moment in simulation, measured from the first operation's, which may
    // itself have started a few ms after the workload did (hence the 20 ms); shrinking may leave
    // identical operations: those pair up in time order.
    const first = Math.min(...ops.map((o) => o.atMs!));
    const t0 = Math.min(...during.map((e) => e.time)) / 1e6;
    const name = (f: string, key: unknown, value: unknown) => JSON.stringify([f, key, value]);
    const groups = new Set(ops.map((o) => name(o.f, o.key, o.f === 'read' ? null : o.value)));
    for (const g of groups) {
      const at = ops.filter((o) => name(o.f, o.key, o.f === 'read' ? null : o.value) === g).map((o) => o.atMs! - first).sort((a, b) => a - b);
      const ran = during.filter((e) => name(e.f, e.key, e.value) === g).map((e) => e.time / 1e6 - t0).sort((a, b) => a - b);
      at.forEach((ms, i) => expect(ran[i]).toBeGreaterThanOrEqual(ms - 20));
    }
  });
});
