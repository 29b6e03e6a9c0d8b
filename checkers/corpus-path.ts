// Where the shared Porcupine corpus lives: `../shared` next to the repository
// (DESIGN.md). A git worktree sits one level deeper than the main checkout,
// so the ancestors of the repo root are tried in turn.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The porcupine corpus folder, or null when ../shared is absent. */
export function findPorcupineCorpus(): string | null {
  let dir = repoRoot;
  for (let i = 0; i < 3; i++) {
    const candidate = join(dir, '..', 'shared', 'corpus', 'porcupine');
    if (existsSync(join(candidate, 'EXPECTED.tsv'))) return candidate;
    dir = dirname(dir);
  }
  return null;
}
