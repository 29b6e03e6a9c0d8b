// Writing a run's files on a disk that may fill up (or be read-only, or over
// quota). Such a failure is the user's environment, not a bug: it ends the run
// with one line naming the file and the reason, never a stack trace, and it
// never leaves a torn file behind for `check` or `inspect` to trip over.
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';

/** A file of the run could not be written; the message says which, why, and what is still usable. */
export class OutputError extends Error {}

/** "no space left on device (ENOSPC)" from a Node fs error; the message itself for anything else. */
export function fsReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (typeof e?.code !== 'string') return e instanceof Error ? e.message : String(err);
  // Node's fs messages read "ENOSPC: no space left on device, write": keep the words and the code.
  const words = /^[A-Z0-9_]+: ([^,]+)/.exec(e.message)?.[1];
  return words === undefined ? e.code : `${words} (${e.code})`;
}

/** Writes the file whole or not at all: a temporary file renamed into place, removed if writing fails. */
export function writeFileWhole(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new OutputError(`cannot write ${path}: ${fsReason(err)}`);
  }
}

/**
 * The OutputError an exception stands for when it is a file-system failure on
 * `dir` (the run's output folder), its parents or anything inside it; null for
 * anything else, which stays a bug to report in full.
 */
export function asOutputError(err: unknown, dir: string): OutputError | null {
  if (err instanceof OutputError) return err;
  const e = err as NodeJS.ErrnoException;
  if (typeof e?.code !== 'string' || typeof e.syscall !== 'string' || typeof e.path !== 'string') return null;
  const inside = (a: string, b: string) => {
    const rel = relative(a, b);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  };
  if (!inside(dir, e.path) && !inside(e.path, dir)) return null;
  return new OutputError(`cannot write ${e.path}: ${fsReason(err)}`);
}
