// torture(), the API behind `splitbrain torture`: callbacks in order, the
// --json shape, and an abort that stops the processes and rejects.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { processesWith } from './testkit.ts';
import { loadSystem } from '../system/definition.ts';
import { quickWorkload } from './matrix.ts';
import { reproduce, torture, type TortureRunReport } from './torture.ts';

const system = join(import.meta.dirname, 'testdata', 'oneNode.json');
const out = mkdtempSync(join(tmpdir(), 'splitbrain-api-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('torture()', { timeout: 120_000 }, () => {
  it('throws on a bad plan before starting anything', async () => {
    await expect(torture({ systems: [system], nemeses: ['no-such-nemesis'], out })).rejects.toThrow(/no-such-nemesis/);
    await expect(torture({ systems: [system], nemeses: ['none'], signal: AbortSignal.abort(new Error('early')), out })).rejects.toThrow('early');
  });

  it('runs the matrix and reports each run as --json does, with its standing', async () => {
    const events: string[] = [];
    let ended: TortureRunReport | undefined;
    const r = await torture({
      systems: [system], nemeses: ['none'], workload: { timeLimitS: 1, rate: 200 }, seed: 3, out,
      onRunStart: (run) => events.push(`start ${run.index}/${run.total} ${run.system} ${run.nemesis} ${run.seed}`),
      onProgress: (_run, p) => events.at(-1) !== p.phase && events.push(p.phase),
      onRunEnd: (_run, report) => (ended = report),
    });
    expect(events[0]).toBe('start 1/1 one-node none 3');
    expect(events).toEqual(expect.arrayContaining(['running', 'checking', 'done']));
    expect(r).toMatchObject({ pass: true, seed: 3, runs: [{ system: 'one-node', nemesis: 'none', seed: 3, valid: true, expected: true, error: null, standing: 'ok' }] });
    const { standing: _, ...report } = r.runs[0];
    expect(ended).toEqual(report);
    expect(r.runs[0].historyPath).toMatch(/history\.jsonl$/);
  });

  it('an abort stops the run’s processes and rejects with the signal’s reason', async () => {
    const controller = new AbortController();
    const reason = new Error('stop now');
    // The nodes inherit this environment: the marker finds them.
    const marker = `SPLITBRAIN_API_TEST=${process.pid}-${Date.now()}`;
    process.env.SPLITBRAIN_API_TEST = marker.split('=')[1];
    let running: number[] = [];
    const tortured = torture({
      systems: [system], nemeses: ['none'], workload: { timeLimitS: 600 }, out, signal: controller.signal,
      onProgress: (_run, p) => {
        if (p.phase !== 'running' || p.stats.ok === 0 || controller.signal.aborted) return;
        running = processesWith(marker, 'server.js');
        controller.abort(reason);
      },
    });
    await expect(tortured).rejects.toBe(reason);
    delete process.env.SPLITBRAIN_API_TEST;
    expect(running).toHaveLength(1);
    // The node the run started has exited by the time the promise settles.
    expect(processesWith(marker, 'server.js')).toEqual([]);
  });
});

describe('reproduce', () => {
  it('names a built-in design by its folder, and any other definition by its file (system-2backups.json was named "viewserver")', () => {
    const cell = (name: string) => ({ system: loadSystem(name), nemesis: 'kill', workload: quickWorkload });
    expect(reproduce(cell('viewserver'), 5, { quick: true })).toBe('npm run -s torture -- --system viewserver --nemesis kill --seed 5 --quick --time-limit 12 --concurrency 16 --keys 3 --rate 800');
    const two = join(import.meta.dirname, '..', '..', 'system-under-test', 'viewserver', 'system-2backups.json');
    expect(reproduce(cell(two), 5, {})).toContain('--system system-under-test/viewserver/system-2backups.json ');
  });
});
