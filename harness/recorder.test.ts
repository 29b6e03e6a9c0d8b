// The recorder streams: whatever kills the harness mid-run, history.jsonl
// holds a valid, checkable prefix of the history.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkHistory, pairOperations, parseHistoryFile } from '../checkers/index.ts';
import { HistoryRecorder, type RecorderIo } from './recorder.ts';

/** A disk with room for `bytes` more bytes: the write that crosses the limit is cut short, the next fails. */
function diskWithRoomFor(bytes: number): RecorderIo {
  let room = bytes;
  return {
    writeSync(fd, buffer, offset, length, position) {
      if (room === 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
      const n = writeSync(fd, buffer, offset, Math.min(length, room), position);
      room -= n;
      return n;
    },
  };
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

describe('history recorder', () => {
  it('writes every event to disk the moment it is recorded', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'sb-rec-')), 'history.jsonl');
    const rec = new HistoryRecorder(path);
    rec.client(0, 'invoke', 'write', 'x', 1);
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(1);
    rec.nemesis('start-partition', { halves: [['a'], ['b']] });
    rec.client(0, 'ok', 'write', 'x', 1);
    const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((e) => e.index)).toEqual([0, 1, 2]);
    expect(lines[1]).toMatchObject({ process: 'nemesis', type: 'info', f: 'start-partition' });
    expect(lines[0].time).toBeLessThanOrEqual(lines[2].time);
    rec.close();
    expect(parseHistoryFile(path)).toHaveLength(3);
  });

  // Issue 13, item 6: on a full disk the last line was left torn and the ENOSPC crashed the run.
  it('a full disk leaves whole lines only, stops writing, and says so through `failed`', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'sb-rec-')), 'history.jsonl');
    const rec = new HistoryRecorder(path, undefined, diskWithRoomFor(1000));
    let i = 0;
    // Each write completes, so the prefix on disk is a history the checker will read (it refuses one where nothing completed ok).
    while (!rec.failed.aborted) rec.client(i >> 1, i++ % 2 === 0 ? 'invoke' : 'ok', 'write', 'x', 1);
    const onDisk = readFileSync(path, 'utf8');
    expect(onDisk.endsWith('\n')).toBe(true);
    const kept = parseHistoryFile(path);
    expect(kept.length).toBeGreaterThan(5);
    expect(kept.length).toBe(i - 1); // every event but the one that did not fit
    expect(rec.failure?.message).toMatch(new RegExp(`no space left on device \\(ENOSPC\\); it keeps the first ${kept.length} events as whole lines`));
    expect(() => rec.throwIfFailed()).toThrow(/ENOSPC/);
    // Later events stay in memory (for the run to report) but never reach the file.
    rec.nemesis('start-partition');
    expect(readFileSync(path, 'utf8')).toBe(onDisk);
    expect(rec.events).toHaveLength(i + 1);
    rec.close();
  });

  it('a history that cannot be created is one clear error, not a stack of fs internals', () => {
    expect(() => new HistoryRecorder(join(tmpdir(), 'no-such-dir-sb', 'history.jsonl'))).toThrow(/^cannot write .*history\.jsonl: no such file or directory \(ENOENT\)$/);
  });

  it('a harness killed mid-run (SIGKILL) leaves a valid, checkable history prefix', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sb-crash-'));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'bin/splitbrain.ts', 'torture', '--system', 'examples/kvstore/system.json', '--nemesis', 'isolate', '--time-limit', '60', '--rate', '200', '--seed', '11', '--out', out],
      { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_c, s) => r(s)));
    // Wait until the run is well under way, then kill the harness without warning.
    const history = await expect
      .poll(
        () => {
          const dir = readdirSync(out).find((d) => existsSync(join(out, d, 'history.jsonl')));
          if (!dir) return null;
          const path = join(out, dir, 'history.jsonl');
          const completeLines = readFileSync(path, 'utf8').split('\n').length - 1; // the last piece follows the last newline
          return completeLines > 300 ? path : null;
        },
        { timeout: 20_000, interval: 100 },
      )
      .not.toBeNull()
      .then(() => join(out, readdirSync(out)[0], 'history.jsonl'));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const events = parseHistoryFile(history);
    expect(events.length).toBeGreaterThan(300);
    expect(events.map((e) => e.index)).toEqual(events.map((_, i) => i));
    // Operations cut off by the crash have no completion: the checker treats them as info.
    const ops = pairOperations(events);
    expect(ops.length).toBeGreaterThan(100);
    const result = await checkHistory(events, { timeoutMs: 20_000 });
    expect(result.valid).toBe(true); // the example store is linearizable
    expect(existsSync(join(dirname(history), 'results.json'))).toBe(false); // it never got that far
  });
});
