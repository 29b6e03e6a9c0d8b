// Where the shared material lives: `../shared` next to the repository
// (DESIGN.md). A git worktree sits one level deeper than the main checkout,
// so the ancestors of the repo root are tried in turn. A user's clone has no
// `../shared`; callers skip, visibly, when these return null.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** `../shared/<parts...>` if it exists next to the repository (or an ancestor of it), else null. */
export function findShared(...parts: string[]): string | null {
  let dir = repoRoot;
  for (let i = 0; i < 3; i++) {
    const candidate = join(dir, '..', 'shared', ...parts);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return null;
}

/** The porcupine corpus folder, or null when ../shared is absent. */
export function findPorcupineCorpus(): string | null {
  const corpus = findShared('corpus', 'porcupine');
  return corpus !== null && existsSync(join(corpus, 'EXPECTED.tsv')) ? corpus : null;
}
