// The hosts' Storage: the data directory (created if missing, files read back
// as written, an atomic replace, plain names only) and the simulator's disk,
// which survives crash and restart of its node unless a fresh one is asked for.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Env, Node } from './env.ts';
import { SimNetwork } from './simnet.ts';
import { noStorage, openDiskStorage } from './storage.ts';

const root = mkdtempSync(join(tmpdir(), 'splitbrain-storage-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('disk storage', () => {
  it('creates a missing directory, appends, replaces atomically, and reads back', () => {
    const dir = join(root, 'a', 'b');
    const disk = openDiskStorage(dir);
    expect(disk.read('log')).toBeNull();
    disk.append('log', 'one\n');
    disk.append('log', 'two\n');
    expect(disk.read('log')).toBe('one\ntwo\n');
    disk.write('log', 'three\n');
    expect(openDiskStorage(dir).read('log')).toBe('three\n');
    expect(readdirSync(dir)).toEqual(['log']); // no temporary file left behind
  });

  it('takes plain file names only, and a host without a disk says what is missing', () => {
    const disk = openDiskStorage(join(root, 'c'));
    for (const bad of ['../x', 'a/b', '', '.', '..']) expect(() => disk.append(bad, 'x')).toThrow(/not a plain file name/);
    expect(() => noStorage('vs1').read('x')).toThrow(/vs1 keeps durable state but has no data directory: start it with --data DIR/);
  });
});

/** Counts its incarnations on its disk. */
class Counter implements Node {
  readonly starts: number;
  constructor(env: Env) {
    this.starts = Number(env.storage.read('starts') ?? 0) + 1;
    env.storage.write('starts', String(this.starts));
  }
  receive(): void {}
}

describe('simulated disk', () => {
  it('survives crash and restart; a fresh disk starts empty', () => {
    const net = new SimNetwork({ seed: 1 });
    net.add('n', [], (env) => new Counter(env));
    net.crash('n');
    net.restart('n');
    expect(net.node<Counter>('n').starts).toBe(2);
    net.restart('n', { freshDisk: true });
    expect(net.node<Counter>('n').starts).toBe(1);
    expect(net.disk('n').syncs).toBe(1);
  });
});
