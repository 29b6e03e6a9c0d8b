// Noticing that whoever started the harness has gone away, so the run stops
// instead of driving its nodes to the end of the time limit for nobody.
//
// A signal does not always tell. `npm run torture` is a chain npm -> sh -c ->
// node (the harness), and npm, sent SIGTERM alone (what supervisors and
// `child.kill()` send), passes it to sh and exits; sh dies without passing it
// on, and the harness is silently re-parented. Through tsx's CLI (npm -> sh ->
// tsx -> node) even that does not show: the harness keeps its parent, tsx, which
// lives on as an orphan. And a SIGKILLed parent sends nothing at all.
//
// So the harness remembers the chain of launchers above it (package managers,
// `sh -c`, tsx's CLI: programs that only start something else) up to the
// first process that is not one (the user's shell, a supervisor, a test), and
// checks every half second that each link still holds. It stops when one
// breaks. The process above the launchers is not watched: when the user's
// shell exits under `nohup npm run torture &`, npm lives on and so does the run.
// Linux only (/proc); elsewhere it watches the direct parent (process.ppid).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

export interface ProcInfo {
  ppid: number;
  argv: string[];
}

/** Reads a process's parent and command line, or null if it is gone (or there is no /proc). */
export type ProcReader = (pid: number) => ProcInfo | null;

export const readProc: ProcReader = (pid) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold anything: state, ppid, ...
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z') return null; // exited; only its parent has not reaped it yet
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    while (argv.length > 0 && argv[argv.length - 1] === '') argv.pop();
    return { ppid: Number(fields[1]), argv };
  } catch {
    return null;
  }
};

const PACKAGE_MANAGERS = new Set(['npm', 'npx', 'pnpm', 'pnpx', 'yarn']);
const SCRIPT_LAUNCHERS = new Set(['npm-cli.js', 'npx-cli.js', 'pnpm.cjs', 'pnpm.js', 'yarn.js', 'yarn.cjs', 'tsx', 'cli.mjs', ...PACKAGE_MANAGERS]);
const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ash', 'ksh']);

/** A program that only starts another: a package manager, `sh -c CMD`, or tsx's CLI. */
export function isLauncher(argv: string[]): boolean {
  if (argv.length === 0) return false;
  // npm sets its process title, so its command line reads "npm run torture" as one string.
  const first = basename(argv[0].split(' ')[0]);
  if (PACKAGE_MANAGERS.has(first)) return true;
  if (SHELLS.has(first)) return argv[1] === '-c';
  if (/^node(js)?$/.test(first) && argv[1] !== undefined) {
    const script = basename(argv[1]);
    return SCRIPT_LAUNCHERS.has(script) && (script !== 'cli.mjs' || /[\\/]tsx[\\/]/.test(argv[1]));
  }
  return false;
}

export interface Link {
  pid: number;
  /** Its command line, shortened, for the message. */
  name: string;
}

/** The watched chain, nearest first: the parent, then each launcher's parent while the one below it is a launcher and it is one too. */
export function launcherChain(ppid: number, read: ProcReader): Link[] {
  const chain: Link[] = [];
  let pid = ppid;
  let info = read(pid);
  for (;;) {
    chain.push({ pid, name: shorten(info?.argv ?? []) });
    if (info === null || !isLauncher(info.argv) || info.ppid <= 1) return chain;
    const above = read(info.ppid);
    if (above === null || !isLauncher(above.argv)) return chain;
    pid = info.ppid;
    info = above;
  }
}

/** The first link of the chain that is gone (nearest first), or null while all hold. */
export function brokenLink(chain: Link[], ppid: number, read: ProcReader): Link | null {
  if (chain.length === 0) return null;
  if (ppid !== chain[0].pid) return chain[0];
  // A process whose parent died is re-parented (to init or a subreaper), so comparing
  // parents finds a dead link even if its pid has been reused meanwhile.
  for (let i = 0; i + 1 < chain.length; i++) {
    const info = read(chain[i].pid);
    if (info === null) return chain[i];
    if (info.ppid !== chain[i + 1].pid) return chain[i + 1];
  }
  return null;
}

/** Calls `onGone` once, when a link of the chain above this process breaks. Returns a function that stops watching. */
export function watchParent(onGone: (gone: Link) => void, opts: { everyMs?: number; read?: ProcReader; ppid?: () => number } = {}): () => void {
  const read = opts.read ?? readProc;
  const ppid = opts.ppid ?? (() => process.ppid);
  const chain = launcherChain(ppid(), read);
  const timer = setInterval(() => {
    const gone = brokenLink(chain, ppid(), read);
    if (gone !== null) {
      clearInterval(timer);
      onGone(gone);
    }
  }, opts.everyMs ?? 500);
  timer.unref();
  return () => clearInterval(timer);
}

function shorten(argv: string[]): string {
  const text = argv.map((a) => (a.includes('/') && !a.includes(' ') ? basename(a) : a)).join(' ');
  return text.length > 60 ? `${text.slice(0, 57)}...` : text || '?';
}
