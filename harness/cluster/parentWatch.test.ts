// Which processes above the harness it watches, and when it decides that
// whoever started it is gone: on a process table given as data, then on a
// real chain of processes (a shell that is SIGKILLed).
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { brokenLink, isLauncher, launcherChain, readProc, watchParent, type ProcInfo } from './parentWatch.ts';

/** A process table: pid -> [ppid, argv]. */
function table(rows: Record<number, [number, string[]]>) {
  const procs = new Map<number, ProcInfo>(Object.entries(rows).map(([pid, [ppid, argv]]) => [Number(pid), { ppid, argv }]));
  return { procs, read: (pid: number) => procs.get(pid) ?? null };
}

const npm = ['npm run torture'];
const sh = ['sh', '-c', 'node --import tsx bin/splitbrain.ts torture'];
const tsxCli = ['node', '/repo/node_modules/.bin/tsx', 'bin/splitbrain.ts', 'torture'];
const userShell = ['-bash'];

describe('launchers', () => {
  it('are package managers, `sh -c` and tsx\'s CLI; shells, supervisors and the harness itself are not', () => {
    for (const argv of [npm, ['npm exec tsx bin/splitbrain.ts'], ['node', '/usr/lib/node_modules/npm/bin/npm-cli.js', 'run', 'torture'], sh, ['/bin/bash', '-c', 'x'], tsxCli, ['node', '/x/node_modules/tsx/dist/cli.mjs', 'a.ts'], ['yarn', 'torture']]) {
      expect(isLauncher(argv), argv.join(' ')).toBe(true);
    }
    for (const argv of [userShell, ['bash'], ['node', 'bin/splitbrain.ts'], ['node', '/x/vitest/vitest.mjs', 'run'], ['node', '/x/other/dist/cli.mjs'], ['systemd'], []]) {
      expect(isLauncher(argv), argv.join(' ')).toBe(false);
    }
  });
});

describe('the watched chain', () => {
  // npm run torture: bash(10) -> npm(20) -> sh(30) -> harness(40).
  const npmRun = () => table({ 10: [1, userShell], 20: [10, npm], 30: [20, sh], 40: [30, ['node', '--import', 'tsx', 'bin/splitbrain.ts']] });

  it('is the parent and the launchers above it, not the first process that is not one', () => {
    expect(launcherChain(30, npmRun().read).map((l) => l.pid)).toEqual([30, 20]);
    expect(launcherChain(30, npmRun().read)[1].name).toBe('npm run torture');
    // Through tsx's CLI: bash -> npm -> sh -> tsx -> harness.
    const viaTsx = table({ 10: [1, userShell], 20: [10, npm], 30: [20, sh], 35: [30, tsxCli] });
    expect(launcherChain(35, viaTsx.read).map((l) => l.pid)).toEqual([35, 30, 20]);
    // Started directly by something that is not a launcher (a test, a supervisor): just that.
    expect(launcherChain(10, npmRun().read).map((l) => l.pid)).toEqual([10]);
    // No /proc (not Linux): the direct parent only.
    expect(launcherChain(30, () => null).map((l) => l.pid)).toEqual([30]);
  });

  it('breaks when any launcher dies, however the harness learns of it', () => {
    const t = npmRun();
    const chain = launcherChain(30, t.read);
    expect(brokenLink(chain, 30, t.read)).toBeNull();
    // SIGTERM to npm: npm exits, sh dies of the signal, the harness is re-parented.
    expect(brokenLink(chain, 1, t.read)?.pid).toBe(30);
    // SIGKILL to npm: sh lives on as an orphan, and the harness keeps its parent.
    t.procs.delete(20);
    t.procs.set(30, { ppid: 1, argv: sh });
    expect(brokenLink(chain, 30, t.read)).toMatchObject({ pid: 20, name: 'npm run torture' });
  });

  it('through tsx\'s CLI, an orphaned tsx that keeps the harness as its child still breaks it', () => {
    const t = table({ 10: [1, userShell], 20: [10, npm], 30: [20, sh], 35: [30, tsxCli] });
    const chain = launcherChain(35, t.read);
    t.procs.delete(20);
    t.procs.delete(30);
    t.procs.set(35, { ppid: 1, argv: tsxCli });
    expect(brokenLink(chain, 35, t.read)?.pid).toBe(30);
  });

  it('does not break when the process above the launchers goes (nohup npm run torture &, then the terminal closes)', () => {
    const t = npmRun();
    const chain = launcherChain(30, t.read);
    t.procs.delete(10);
    t.procs.set(20, { ppid: 1, argv: npm });
    expect(brokenLink(chain, 30, t.read)).toBeNull();
  });

  it('without /proc, the direct parent is all it can watch, and an unchanged parent is no break', () => {
    const chain = launcherChain(30, () => null);
    expect(brokenLink(chain, 30, () => null)).toBeNull();
    expect(brokenLink(chain, 1, () => null)?.pid).toBe(30);
  });
});

describe('watching a real chain', () => {
  it('reads this process from /proc', () => {
    const self = readProc(process.pid);
    expect(self?.ppid).toBe(process.ppid);
    expect(self?.argv).toContain(process.argv[1]);
    expect(readProc(0x7ffffffe)).toBeNull();
  });

  it('reports the launcher that was SIGKILLed above a process', async () => {
    // sh -c (a launcher) -> sleep: watch from the sleep's point of view, then SIGKILL the shell.
    const shell = spawn('sh', ['-c', 'sleep 30; :'], { stdio: 'ignore', detached: true });
    let sleeper = 0;
    await expect.poll(() => (sleeper = childOf(shell.pid!)), { timeout: 10_000, interval: 20 }).toBeGreaterThan(0);
    const gone = new Promise<number>((resolve) => {
      const stop = watchParent(
        (link) => {
          stop();
          resolve(link.pid);
        },
        { everyMs: 20, ppid: () => readProc(sleeper)?.ppid ?? -1 },
      );
    });
    process.kill(shell.pid!, 'SIGKILL');
    expect(await gone).toBe(shell.pid);
    process.kill(sleeper, 'SIGKILL');
  });
});

/** A child of `pid`, or 0 while it has none. */
function childOf(pid: number): number {
  const child = readdirSync('/proc').find((entry) => /^\d+$/.test(entry) && readProc(Number(entry))?.ppid === pid);
  return child === undefined ? 0 : Number(child);
}
