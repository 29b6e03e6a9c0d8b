// The hosts' implementations of `Storage` (env.ts states the duties): a data
// directory on disk for real processes, a map for the simulator, and the
// refusal a host gives a node it has no disk for.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Storage } from './env.ts';

const FILE_NAME = /^[A-Za-z0-9._-]+$/;

function checkName(name: string): void {
  if (!FILE_NAME.test(name) || name === '.' || name === '..') throw new Error(`storage: '${name}' is not a plain file name`);
}

/** A disk that lives in memory: survives whatever the simulator does to the node, until dropped. */
export class MemoryStorage implements Storage {
  readonly files = new Map<string, string>();
  /** How many durable writes were made (each would be an fsync on a real disk). */
  syncs = 0;

  read(name: string): string | null {
    checkName(name);
    return this.files.get(name) ?? null;
  }
  append(name: string, data: string): void {
    checkName(name);
    this.files.set(name, (this.files.get(name) ?? '') + data);
    this.syncs++;
  }
  write(name: string, data: string): void {
    checkName(name);
    this.files.set(name, data);
    this.syncs++;
  }
}

function writeAll(fd: number, data: string): void {
  const bytes = Buffer.from(data, 'utf8');
  for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
}

/** fsync a directory, so a file created or renamed in it survives a crash. */
function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Files in `dir` (created, with its parents, if missing). Every append and
 * write is fsynced before it returns; a file's first creation also fsyncs the
 * directory that holds it.
 */
export function openDiskStorage(dir: string): Storage {
  const root = resolve(dir);
  if (mkdirSync(root, { recursive: true }) !== undefined) syncDirectory(dirname(root));
  const known = new Set<string>();
  const path = (name: string) => {
    checkName(name);
    return join(root, name);
  };
  return {
    read(name) {
      try {
        const text = readFileSync(path(name), 'utf8');
        known.add(name);
        return text;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },
    append(name, data) {
      const fd = openSync(path(name), 'a');
      try {
        writeAll(fd, data);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      if (!known.has(name)) {
        syncDirectory(root);
        known.add(name);
      }
    },
    write(name, data) {
      const target = path(name);
      const temporary = `${target}.tmp`;
      const fd = openSync(temporary, 'w');
      try {
        writeAll(fd, data);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temporary, target);
      syncDirectory(root);
      known.add(name);
    },
  };
}

/** The storage of a host that was given no data directory: every use says so. */
export function noStorage(id: string): Storage {
  const refuse = (): never => {
    throw new Error(`${id} keeps durable state but has no data directory: start it with --data DIR (or SPLITBRAIN_DATA)`);
  };
  return { read: refuse, append: refuse, write: refuse };
}
