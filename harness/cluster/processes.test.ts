// No orphans: every process the harness starts is gone after a normal stop,
// an uncaught exception, an unhandled rejection, SIGINT, SIGTERM, and even a
// SIGKILL of the harness itself (the watchdog).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { loadSystem } from '../system/definition.ts';
import { ProcessCluster } from './cluster.ts';
import { ProcessOwner } from './processes.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');

/** Alive and not a zombie (a zombie has exited; only its parent has not reaped it yet). */
function running(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return false;
  try {
    return readFileSync(stat, 'utf8').split(') ')[1][0] !== 'Z';
  } catch {
    return false;
  }
}

async function eventuallyGone(pids: number[]): Promise<void> {
  await expect.poll(() => pids.filter(running), { timeout: 5000, interval: 100 }).toEqual([]);
}

/** Runs the fixture, waits for its pid line, then applies `act` to it. */
async function holdCluster(mode: 'throw' | 'reject' | 'wait', act?: (pid: number) => void) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'testdata', 'holdCluster.ts'), mode], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
  const pids = await new Promise<number[]>((resolvePids, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n')[0];
      if (out.includes('\n')) resolvePids(JSON.parse(line).pids);
    });
    void exited.then(() => reject(new Error(`fixture exited early: ${err}`)));
  });
  expect(pids).toHaveLength(3);
  expect(pids.every(running)).toBe(true);
  act?.(child.pid!);
  return { pids, exit: await exited, stderr: () => err };
}

describe('node logs', () => {
  // Issue 13, item 6: a log the disk cannot take (full, read-only, gone) emitted an
  // unhandled 'error' and crashed the harness with a stack trace.
  it('a log file that cannot be written is one warning; the output is still kept for error messages', async () => {
    const warnings: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (warnings.push(String(chunk)), true));
    const owner = new ProcessOwner();
    try {
      const logFile = join(tmpdir(), 'sb-no-such-dir', 'n1.log');
      const proc = owner.start({ name: 'n1', argv: [process.execPath, '-e', "console.error('hello from n1')"], cwd: root, logFile });
      await proc.exited;
      await expect.poll(() => warnings.join('')).toMatch(/cannot write .*n1\.log: no such file or directory \(ENOENT\); node output from here on is not logged/);
      expect(proc.tail()).toContain('hello from n1');
    } finally {
      spy.mockRestore();
      await owner.stopAll();
    }
  });
});

describe('process ownership: no orphans', () => {
  it('stop() ends every node of a cluster', async () => {
    const cluster = await ProcessCluster.start(loadSystem(join(root, 'examples', 'kvstore', 'system.json')), { logDir: mkdtempSync(join(tmpdir(), 'sb-own-')) });
    const pids = cluster.owner.pids();
    expect(pids).toHaveLength(3);
    await cluster.stop();
    await eventuallyGone(pids);
  });

  it('an uncaught exception in the harness leaves no node behind', async () => {
    const { pids, exit, stderr } = await holdCluster('throw');
    expect(exit.code).not.toBe(0);
    expect(stderr()).toContain('deliberate uncaught exception');
    await eventuallyGone(pids);
  });

  it('an unhandled rejection in the harness leaves no node behind', async () => {
    const { pids, exit } = await holdCluster('reject');
    expect(exit.code).not.toBe(0);
    await eventuallyGone(pids);
  });

  it('Ctrl-C (SIGINT) stops every node and exits 130', async () => {
    const { pids, exit } = await holdCluster('wait', (pid) => process.kill(pid, 'SIGINT'));
    expect(exit.code).toBe(130);
    await eventuallyGone(pids);
  });

  it('SIGTERM stops every node and exits 143', async () => {
    const { pids, exit } = await holdCluster('wait', (pid) => process.kill(pid, 'SIGTERM'));
    expect(exit.code).toBe(143);
    await eventuallyGone(pids);
  });

  it('even SIGKILL of the harness leaves no node behind (the watchdog kills them)', async () => {
    const { pids, exit } = await holdCluster('wait', (pid) => process.kill(pid, 'SIGKILL'));
    expect(exit.signal).toBe('SIGKILL');
    await eventuallyGone(pids);
  });
});
