// Reading history files and folders of them for a command, where anything a
// user points at may be a FIFO, a device, an unreadable folder, a broken link
// or a link loop. Each becomes a HistoryError naming the path, promptly:
// nothing here blocks on a pipe or recurses through a loop.
import { closeSync, constants, fstatSync, openSync, readdirSync, readSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { HistoryError } from './errors.ts';

const FS_ERRORS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOENT: 'no such file or folder',
  ELOOP: 'a loop of symbolic links',
  ENOTDIR: 'a path component is not a folder',
  ENAMETOOLONG: 'the name is too long',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
};

/** A file-system error in words, with its code: "permission denied (EACCES)". */
export function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === undefined) return (e as Error).message;
  return FS_ERRORS[code] !== undefined ? `${FS_ERRORS[code]} (${code})` : code;
}

function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isDirectory()) return 'a folder';
  return 'not a regular file';
}

/**
 * The text of a regular file, or of its first `maxBytes`. Opened without
 * blocking and checked before reading: a FIFO would block the read forever,
 * a device would never end.
 */
export function readRegularFile(path: string, maxBytes = Infinity): string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new HistoryError(path, 0, `cannot read file: ${describeFsError(e)}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new HistoryError(path, 0, `${kindOf(st)}, not a history file`);
    const size = Math.min(st.size, maxBytes);
    const buf = Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) {
      const n = readSync(fd, buf, got, size - got, got);
      if (n === 0) break;
      got += n;
    }
    return buf.toString('utf8', 0, got);
  } catch (e) {
    if (e instanceof HistoryError) throw e;
    throw new HistoryError(path, 0, `cannot read file: ${describeFsError(e)}`);
  } finally {
    closeSync(fd);
  }
}

// In a folder: .jsonl, .edn and .log files are histories; a .txt file only if
// its content looks like EDN or a Jepsen log (the Porcupine corpus keeps its
// kv histories in .txt, next to READMEs and notes). Anything that is not a
// regular file counts only by its name, and is reported when read.
const HISTORY_EXTENSIONS = /\.(jsonl|log|edn)$/;
const TXT_SNIFF_BYTES = 10_000;

function isHistoryFile(path: string, name: string, st: Stats, looksLikeHistory: (head: string) => boolean): boolean {
  if (HISTORY_EXTENSIONS.test(name)) return true;
  if (!name.endsWith('.txt') || !st.isFile()) return false;
  try {
    return looksLikeHistory(readRegularFile(path, TXT_SNIFF_BYTES));
  } catch {
    return true; // unreadable: keep it, so loading it names the file and the reason
  }
}

/** One path to check: a history file, or what went wrong finding it. */
export type Listed = { file: string } | { file: string; error: HistoryError };

/**
 * The history files named by `paths` (files as given, folders searched
 * recursively, sorted by name), in order, with a HistoryError in place of
 * every path that cannot be listed. A link leading back to a folder being
 * scanned is reported once, not followed. `looksLikeHistory` tells a
 * history from other .txt files by its first bytes.
 */
export function listHistoryFiles(paths: readonly string[], looksLikeHistory: (head: string) => boolean): Listed[] {
  const out: Listed[] = [];
  const bad = (file: string, detail: string) => out.push({ file, error: new HistoryError(file, 0, detail) });
  /** The path's stats (links followed), or null once the error is listed: `missing` says what ENOENT means there. */
  const stat = (path: string, missing: string): Stats | null => {
    try {
      return statSync(path);
    } catch (e) {
      bad(path, (e as NodeJS.ErrnoException).code === 'ENOENT' ? missing : `cannot be read: ${describeFsError(e)}`);
      return null;
    }
  };
  // dev:ino of the folders on the way down: meeting one again is a loop.
  const scanning = new Map<string, string>();
  const scan = (dir: string, st: Stats): void => {
    const id = `${st.dev}:${st.ino}`;
    const ancestor = scanning.get(id);
    if (ancestor !== undefined) {
      bad(dir, `a link back to ${ancestor}, which is being scanned already (a loop); not followed`);
      return;
    }
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch (e) {
      bad(dir, `cannot list folder: ${describeFsError(e)}`);
      return;
    }
    scanning.set(id, dir);
    for (const name of names) {
      const child = join(dir, name);
      // Missing while listed: a dangling symlink, or a file removed meanwhile; the user sees which, rather than a crash.
      const cst = stat(child, 'cannot be read (a broken link, or removed while listing)');
      if (cst === null) continue;
      if (cst.isDirectory()) scan(child, cst);
      else if (isHistoryFile(child, name, cst, looksLikeHistory)) out.push({ file: child });
    }
    scanning.delete(id);
  };
  for (const path of paths) {
    const st = stat(path, 'no such file or folder');
    if (st === null) continue;
    if (!st.isDirectory()) {
      out.push({ file: path });
      continue;
    }
    const before = out.length;
    scan(path, st);
    // A folder named on the command line with nothing in it to check is a mistake; an empty subfolder is not.
    if (out.length === before) bad(path, 'folder holds no history files (.jsonl, .log, .txt, .edn)');
  }
  return out;
}
