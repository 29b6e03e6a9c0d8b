// Test helpers for running the torture command as a user does (a child
// process) and for finding the processes it started.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface RunOptions {
  env?: Record<string, string>;
  /** A command prefix to run it inside (e.g. a private mount namespace). */
  wrap?: string[];
  whileRunning?: (pid: number, stderr: () => string) => void;
}

/**
 * Runs `splitbrain ARGS` as `npm run` would from the repository root
 * (INIT_CWD says where the user was; `opts.env` may move them);
 * `whileRunning` gets its pid and its stderr so far.
 */
export function splitbrain(args: string[], opts: RunOptions = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((r) => {
    const [cmd, ...rest] = [...(opts.wrap ?? []), process.execPath, '--import', 'tsx', 'bin/splitbrain.ts', ...args];
    const child = spawn(cmd, rest, {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, INIT_CWD: root, ...opts.env },
    });
    opts.whileRunning?.(child.pid!, () => stderr);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => r({ code, stdout, stderr }));
  });
}

export const torture = (args: string[], opts: RunOptions = {}) => splitbrain(['torture', ...args], opts);

/** `torture ARGS --json`, parsed; a run that printed no document fails with what it said on stderr. */
export async function tortureJson<T>(args: string[], opts: RunOptions = {}): Promise<{ code: number | null; doc: T; stderr: string }> {
  const out = await torture([...args, '--json'], opts);
  try {
    return { code: out.code, doc: JSON.parse(out.stdout) as T, stderr: out.stderr };
  } catch {
    throw new Error(`torture ${args.join(' ')} exited ${out.code} without a JSON document; stderr:\n${out.stderr.slice(-4000)}`);
  }
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
