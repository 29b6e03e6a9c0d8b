// Runs the proxy as its own process (`node [--import tsx] bin/splitbrain
// proxy`: one process, not the tsx CLI's parent and child, so that even a
// SIGKILL leaves no orphan holding ports), for
// callers that want it isolated from their event loop. The returned handle
// owns the process: `close()` stops it (SIGTERM, then SIGKILL), and an
// unexpected exit is reported through `onExit` and the `exited` promise, so
// a crashed proxy never goes unnoticed; if the owner exits without closing
// it, the process is killed on the way out.
import { spawn } from 'node:child_process';
import { cliArgv, packageRoot } from '../packageRoot.ts';

export interface SpawnedToxiproxy {
  url: string;
  port: number;
  pid: number;
  /** Resolves with the exit code (or signal name) whenever the process ends. */
  exited: Promise<number | string>;
  /** Stops the process; resolves once it has exited. */
  close(): Promise<void>;
}

export interface SpawnOptions {
  host?: string;
  port?: number;
  /** Called if the process exits before `close()` was called (a crash). */
  onExit?: (code: number | string, stderr: string) => void;
  /** Milliseconds to wait for the listening line. */
  startTimeoutMs?: number;
}

export async function spawnToxiproxyServer(options: SpawnOptions = {}): Promise<SpawnedToxiproxy> {
  const args = cliArgv(['proxy', '--host', options.host ?? '127.0.0.1', '--port', String(options.port ?? 0)]);
  const child = spawn(process.execPath, args, { cwd: packageRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-10_000);
  });
  let closing = false;
  // If the owner exits without close() (process.exit, a signal handler's
  // exit), the proxy must not outlive it: kill it synchronously on the way out.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => {
      process.off('exit', killOnExit);
      const how = code ?? signal ?? 'unknown';
      if (!closing) options.onExit?.(how, stderr);
      resolve(how);
    }),
  );
  const close = async () => {
    closing = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`proxy did not start within ${options.startTimeoutMs ?? 20_000} ms`)), options.startTimeoutMs ?? 20_000);
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        const m = /toxiproxy listening on (http:\/\/\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      void exited.then((how) => {
        clearTimeout(timer);
        reject(new Error(`proxy exited (${how}) before listening: ${stderr.trim()}`));
      });
    });
    return { url, port: Number(new URL(url).port), pid: child.pid!, exited, close };
  } catch (err) {
    await close();
    throw err;
  }
}
