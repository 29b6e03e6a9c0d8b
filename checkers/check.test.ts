// checkHistory's contract to callers: progress reports, and an abort that wins.
import { describe, expect, it } from 'vitest';
import { checkHistory, type CheckProgress } from './check.ts';
import { generateHistory } from './generate.ts';

const history = generateHistory({ ops: 2000, keys: 4, clients: 8, seed: 5, infoRate: 0.02 }).events;

describe('checkHistory', () => {
  it('reports progress from none decided to every key decided', async () => {
    const seen: CheckProgress[] = [];
    const r = await checkHistory(history, { onProgress: (p) => seen.push({ ...p }) });
    expect(r.valid).toBe(true);
    expect(seen[0]).toMatchObject({ keys: 4, decided: 0 });
    expect(seen.at(-1)).toMatchObject({ keys: 4, decided: 4 });
    expect(seen.map((p) => p.decided)).toEqual([...seen.map((p) => p.decided)].sort((a, b) => a - b));
  });

  it('says when the verdict was certain: the first violation, before the report\'s shrinking and explaining', async () => {
    const ok = await checkHistory(history);
    expect(ok.verdictMs).toBeGreaterThanOrEqual(0);
    expect(ok.verdictMs).toBeLessThanOrEqual(ok.elapsedMs);
    const bad = generateHistory({ ops: 2000, keys: 4, clients: 8, seed: 5, infoRate: 0.02, violate: true });
    expect(bad.violated).toBe(true);
    const r = await checkHistory(bad.events);
    expect(r.valid).toBe(false);
    expect(r.failures[0].minimal.length).toBeGreaterThan(0);
    expect(r.verdictMs).toBeGreaterThanOrEqual(0);
    expect(r.verdictMs).toBeLessThanOrEqual(r.elapsedMs);
  });

  it('rejects with the signal’s reason when aborted before it starts or while it searches', async () => {
    const reason = new Error('stop');
    await expect(checkHistory(history, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    const controller = new AbortController();
    // Aborted from the first progress report: whether the search yields once more or not, it never resolves.
    const checking = checkHistory(history, { signal: controller.signal, onProgress: () => controller.abort(reason) });
    await expect(checking).rejects.toBe(reason);
  });
});
