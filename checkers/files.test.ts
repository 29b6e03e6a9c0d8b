// Unreadable folders and files: bad input naming the path, never an EACCES crash.
// Tests run as root here, where chmod cannot make anything unreadable, so the
// permission error is injected into node:fs (fsTestkit.ts); the real chmod
// case runs only where it can happen, and says so when skipped.
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { repoRoot } from './corpus-path.ts';
import { main } from './cli.ts';

const denied = vi.hoisted(() => new Set<string>());
vi.mock('node:fs', async (importOriginal) => (await import('./fsTestkit.ts')).denyingFs(importOriginal, denied));

const example = join(repoRoot, 'histories', 'examples', 'ok-design-example.jsonl');
const tmp = mkdtempSync(join(tmpdir(), 'splitbrain-files-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let out = '';
let err = '';
beforeEach(() => {
  out = '';
  err = '';
  denied.clear();
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
});
afterEach(() => vi.restoreAllMocks());

function folderWithLockedParts(): { dir: string; lockedDir: string; lockedFile: string } {
  const dir = mkdtempSync(join(tmp, 'perm-'));
  copyFileSync(example, join(dir, 'a-ok.jsonl'));
  copyFileSync(example, join(dir, 'b-locked.jsonl'));
  mkdirSync(join(dir, 'c-locked'));
  copyFileSync(example, join(dir, 'c-locked', 'inside.jsonl'));
  return { dir, lockedDir: join(dir, 'c-locked'), lockedFile: join(dir, 'b-locked.jsonl') };
}

describe('permission errors', () => {
  it('an unlistable folder and an unreadable file are bad input (exit 3), the readable file still checked', async () => {
    const { dir, lockedDir, lockedFile } = folderWithLockedParts();
    denied.add(lockedDir);
    denied.add(lockedFile);
    expect(await main([dir])).toBe(3);
    expect(err).toBe(`check: ${lockedFile}: cannot read file: permission denied (EACCES)\ncheck: ${lockedDir}: cannot list folder: permission denied (EACCES)\n`);
    expect(out).toMatch(/a-ok\.jsonl: linearizable/);
  });

  const root = process.getuid?.() === 0;
  if (root) console.warn('files.test.ts: the real chmod 000 case is SKIPPED: running as root, every file stays readable');
  it.skipIf(root)('with real permissions too (not as root)', async () => {
    const { dir, lockedDir, lockedFile } = folderWithLockedParts();
    chmodSync(lockedDir, 0);
    chmodSync(lockedFile, 0);
    try {
      expect(await main([dir])).toBe(3);
      expect(err).toContain(`${lockedDir}: cannot list folder: permission denied (EACCES)`);
    } finally {
      chmodSync(lockedDir, 0o755);
    }
  });
});
