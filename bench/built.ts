// The build a benchmark measures: what users run is dist/ (scripts/build.ts),
// so sections that time the CLI build it first when any source is newer.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../checkers/corpus-path.ts';

const SOURCES = ['index.ts', 'package.json', 'tsconfig.build.json', 'bin', 'checkers', 'harness', 'system-under-test', 'scripts'];

function newest(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let t = st.mtimeMs;
  for (const e of readdirSync(path)) t = Math.max(t, newest(join(path, e)));
  return t;
}

let checked = false;

/** The built CLI entry (dist/bin/splitbrain.js), rebuilt if a source changed since. */
export function builtCli(): string {
  return built(join('bin', 'splitbrain.js'));
}

/** A module of the build, as a file URL to import (e.g. `harness/sim/batch.js`), rebuilt first if a source changed since. */
export function builtModule(relativePath: string): string {
  return pathToFileURL(built(relativePath)).href;
}

function built(relativePath: string): string {
  const entry = join(repoRoot, 'dist', 'bin', 'splitbrain.js');
  if (!checked) {
    checked = true;
    const stale = !existsSync(entry) || SOURCES.some((s) => newest(join(repoRoot, s)) > statSync(entry).mtimeMs);
    if (stale) {
      process.stdout.write('(building dist/ first: npm run build)\n');
      const r = spawnSync('npm', ['run', '-s', 'build'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
      if (r.status !== 0) throw new Error('npm run build failed');
    }
  }
  const path = join(repoRoot, 'dist', relativePath);
  if (!existsSync(path)) throw new Error(`the build has no ${relativePath}`);
  return path;
}
