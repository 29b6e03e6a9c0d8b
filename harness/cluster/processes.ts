// The owner of every process the harness starts. Each child runs in its own
// process group (detached), so a signal to -pid reaches the node and anything
// it forked. The owner stops them all on success, failure, exceptions,
// Ctrl-C/SIGTERM/SIGHUP and the harness's parent going away (parentWatch.ts):
// `stopAll()` for the orderly path, and a synchronous SIGKILL sweep on process
// exit for every path that never got that far. Even a
// SIGKILL of the harness itself leaves nothing behind: a small watchdog
// process holds a pipe from the harness and kills every registered group
// when that pipe closes.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { fsReason } from '../outputFiles.ts';
import { watchParent } from './parentWatch.ts';

export interface StartOptions {
  /** Shown in errors and logs. */
  name: string;
  argv: string[];
  cwd: string;
  env?: Record<string, string>;
  /** stdout and stderr of the child are appended here (created). */
  logFile?: string;
  /**
   * 'protocol': the caller speaks to the child over its stdin and stdout (a
   * Maelstrom node), so only stderr goes to the log and the tail. Default
   * 'log': stdin closed, stdout and stderr both logged.
   */
  stdio?: 'log' | 'protocol';
  /** Written to the child's stdin, which is then closed (a batch of `ip` or `iptables-restore` commands). */
  input?: string;
  /** A Node.js IPC channel to the child (child.send / 'message'), even through an exec'ing launcher such as unshare. */
  ipc?: boolean;
}

export interface OwnedProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves with the exit code or signal when the process is gone. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** True until the process has exited. */
  alive(): boolean;
  /** Last lines of its output, for error messages. */
  tail(): string;
  /** Appends a line of the harness's own (marked as such) to the process's log and tail. */
  note(line: string): void;
}

const TAIL_BYTES = 4000;

export class ProcessOwner {
  private readonly owned = new Set<OwnedProcess>();
  private readonly logs = new Set<WriteStream>();
  private stopped = false;
  private watchdog: ChildProcess | null = null;
  private warnedAboutLogs = false;

  constructor() {
    live.add(this);
    installExitHooks();
  }

  start(opts: StartOptions): OwnedProcess {
    if (this.stopped) throw new Error(`cannot start ${opts.name}: the owner has already stopped`);
    const [cmd, ...args] = opts.argv;
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      detached: true,
      stdio: [opts.stdio === 'protocol' || opts.input !== undefined ? 'pipe' : 'ignore', 'pipe', 'pipe', ...(opts.ipc ? ['ipc' as const] : [])],
    });
    if (opts.input !== undefined) {
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(opts.input);
    }
    let tail = '';
    let log = opts.logFile ? createWriteStream(opts.logFile, { flags: 'a' }) : undefined;
    if (log) {
      this.logs.add(log);
      // A log the disk cannot take (full, read-only) must not crash the harness: the
      // output is still kept in memory (tail) for error messages.
      log.on('error', (err) => {
        if (log !== undefined) this.logs.delete(log);
        log?.destroy();
        log = undefined;
        if (!this.warnedAboutLogs) {
          this.warnedAboutLogs = true;
          process.stderr.write(`splitbrain: cannot write ${opts.logFile}: ${fsReason(err)}; node output from here on is not logged\n`);
        }
      });
    }
    const onData = (chunk: Buffer) => {
      tail = (tail + chunk.toString('utf8')).slice(-TAIL_BYTES);
      // A note can come after stopAll() closed the log (a line the relay was still reading).
      if (log !== undefined && !log.writableEnded) log.write(chunk);
    };
    if (opts.stdio !== 'protocol') child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    let isAlive = true;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.on('exit', (code, signal) => {
        isAlive = false;
        resolve({ code, signal });
      });
      child.on('error', (err) => {
        isAlive = false;
        tail += `\n[spawn failed: ${err.message}]`;
        resolve({ code: null, signal: null });
      });
    });
    const proc: OwnedProcess = {
      name: opts.name,
      pid: child.pid ?? -1,
      child,
      exited,
      alive: () => isAlive,
      tail: () => tail,
      note: (line) => onData(Buffer.from(`[splitbrain] ${line}\n`)),
    };
    if (child.pid !== undefined) {
      this.owned.add(proc);
      this.tellWatchdog(`+${child.pid}`);
    }
    void exited.then(() => {
      this.owned.delete(proc);
      this.tellWatchdog(`-${proc.pid}`);
    });
    return proc;
  }

  /**
   * Runs a short command to its end (setting up a network namespace, a node's
   * setup step): owned like any process while it runs, so a harness killed
   * meanwhile leaves nothing.
   */
  async run(opts: StartOptions): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }> {
    const proc = this.start(opts);
    // 'exit' can come before the last output is read; 'close' comes once the pipes are drained too.
    const drained = new Promise<void>((r) => proc.child.once('close', () => r()));
    const { code, signal } = await proc.exited;
    if (code !== null || signal !== null) await drained;
    return { code, signal, output: proc.tail() };
  }

  private tellWatchdog(line: string): void {
    if (this.watchdog === null) {
      this.watchdog = spawn(process.execPath, ['-e', WATCHDOG], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
      this.watchdog.unref();
      (this.watchdog.stdin as unknown as { unref?: () => void }).unref?.();
      this.watchdog.stdin?.on('error', () => undefined);
    }
    this.watchdog.stdin?.write(line + '\n');
  }

  /** Sends a signal to the process's whole group. Returns false if it is already gone. */
  signal(proc: OwnedProcess, sig: NodeJS.Signals): boolean {
    if (!proc.alive() || proc.pid <= 0) return false;
    try {
      process.kill(-proc.pid, sig);
      return true;
    } catch {
      return false;
    }
  }

  /** SIGTERM (after SIGCONT, since a paused process cannot act on it), then SIGKILL after `graceMs`. */
  async stop(proc: OwnedProcess, graceMs = 2000): Promise<void> {
    if (!proc.alive()) return;
    this.signal(proc, 'SIGCONT');
    this.signal(proc, 'SIGTERM');
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs).unref());
    if ((await Promise.race([proc.exited, timer])) === 'timeout') {
      this.signal(proc, 'SIGKILL');
      await proc.exited;
    }
    // The group leader is gone; make sure nothing it forked lingers.
    try {
      process.kill(-proc.pid, 'SIGKILL');
    } catch {
      /* group already empty */
    }
  }

  /** Immediate SIGKILL of the group (the kill nemesis, and the exit sweep). */
  async kill(proc: OwnedProcess): Promise<void> {
    this.signal(proc, 'SIGKILL');
    await proc.exited;
  }

  pids(): number[] {
    return [...this.owned].map((p) => p.pid);
  }

  async stopAll(graceMs = 2000): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.owned].map((p) => this.stop(p, graceMs)));
    await Promise.all(
      [...this.logs].map((l) => new Promise<void>((r) => (l.closed ? r() : l.end(() => r())))),
    );
    this.watchdog?.stdin?.end();
    this.watchdog = null;
    live.delete(this);
  }

  /** Synchronous last resort, safe inside process.on('exit'). */
  killAllNow(): void {
    this.stopped = true;
    for (const p of this.owned) {
      try {
        process.kill(-p.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
}

// The watchdog: reads +PID / -PID lines; when the harness's end of the pipe
// closes (the harness exited, however it died) it kills every group still listed.
const WATCHDOG = `
const groups = new Set();
let buf = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => {
  buf += d;
  let i;
  while ((i = buf.indexOf('\\n')) >= 0) {
    const line = buf.slice(0, i); buf = buf.slice(i + 1);
    if (line[0] === '+') groups.add(Number(line.slice(1)));
    else if (line[0] === '-') groups.delete(Number(line.slice(1)));
  }
});
process.stdin.on('end', () => {
  for (const g of groups) { try { process.kill(-g, 'SIGCONT'); process.kill(-g, 'SIGKILL'); } catch {} }
  process.exit(0);
});
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});
`;

// Every owner that has not finished stopping, for the exit and signal hooks.
const live = new Set<ProcessOwner>();
let hooksInstalled = false;
let stopping = false;

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', () => {
    for (const o of live) o.killAllNow();
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => stopOnSignal(sig));
  // A parent that goes away sends nothing the harness can rely on (see parentWatch.ts):
  // stop as on a hangup, the conventional "whoever started you is gone".
  watchParent((gone) => {
    if (stopping) return;
    process.stderr.write(`\nsplitbrain: the process that started it (${gone.name}, pid ${gone.pid}) is gone\n`);
    stopOnSignal('SIGHUP');
  });
}

/**
 * The first signal stops every owner's processes in order, then runs the
 * interrupt hooks (which say where the history is) and exits. A second one
 * while stopping means "now": SIGKILL everything, run the hooks, exit. One
 * Ctrl-C must reach the harness once: a launcher that relays signals (tsx's
 * CLI re-sends SIGINT when the harness confirms it late, and then SIGKILLs
 * it) turns one into two, which is why the npm scripts start the harness with
 * `node --import tsx` and no launcher in between.
 */
function stopOnSignal(sig: NodeJS.Signals): void {
  if (stopping) {
    process.stderr.write(`\nsplitbrain: ${sig} again: killing every process it started now\n`);
    for (const o of live) o.killAllNow();
    runInterruptHooks(sig);
    process.exit(exitCodeFor(sig));
  }
  stopping = true;
  if ([...live].some((o) => o.pids().length > 0)) process.stderr.write(`\nsplitbrain: ${sig}: stopping every process it started...\n`);
  void Promise.all([...live].map((o) => o.stopAll(1000))).finally(() => {
    runInterruptHooks(sig);
    process.exit(exitCodeFor(sig));
  });
}

const signalHooks = new Set<(sig: NodeJS.Signals) => void>();
/** Runs (synchronously) after processes are stopped on a signal, before exit: e.g. close the history file and say where it is. */
export function onInterrupt(hook: (sig: NodeJS.Signals) => void): () => void {
  signalHooks.add(hook);
  return () => signalHooks.delete(hook);
}

function runInterruptHooks(sig: NodeJS.Signals): void {
  const hooks = [...signalHooks];
  signalHooks.clear();
  for (const hook of hooks) hook(sig);
}

/** The shell's convention: 128 + the signal number. */
function exitCodeFor(sig: NodeJS.Signals): number {
  return sig === 'SIGINT' ? 130 : sig === 'SIGHUP' ? 129 : 143;
}
