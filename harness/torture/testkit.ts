// Test helpers for running the torture command as a user does (a child
// process) and for finding the processes it started.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Runs `splitbrain torture ARGS` as `npm run torture` would from the repository
 * root (INIT_CWD says where the user was; `opts.env` may move them);
 * `whileRunning` gets its pid and its stderr so far.
 */
export function torture(
  args: string[],
  opts: { env?: Record<string, string>; whileRunning?: (pid: number, stderr: () => string) => void } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((r) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bin/splitbrain.ts', 'torture', ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, INIT_CWD: root, ...opts.env },
    });
    opts.whileRunning?.(child.pid!, () => stderr);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => r({ code, stdout, stderr }));
  });
}

/** Live (non-zombie) processes whose environment carries the marker (and whose command line, `commandPart`). */
export function processesWith(marker: string, commandPart = ''): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readFileSync(`/proc/${entry}/environ`, 'utf8').includes(marker)) continue;
      if (!readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(commandPart)) continue;
      if (readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1][0] === 'Z') continue;
      pids.push(Number(entry));
    } catch {
      /* gone meanwhile, or not ours to read */
    }
  }
  return pids;
}
