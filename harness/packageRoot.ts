// Where splitbrain runs from. In a checkout, modules run as TypeScript from
// the source tree (vitest, or `node --import tsx`); from the package they run
// as the JavaScript the build wrote under dist/ (scripts/build.ts). Code that
// names a file of its own (a worker, the CLI entry) or a place to write runs
// asks here, so both layouts work without a flag.
import { dirname, extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** True when this code is the build's JavaScript, false when it is the TypeScript source. */
export const built = extname(fileURLToPath(import.meta.url)) === '.js';

/** The folder holding splitbrain's package.json (this module is <root>/harness/ or <root>/dist/harness/). */
export const packageRoot = built ? resolve(here, '..', '..') : resolve(here, '..');

/** The folder the modules run from: <root>/dist in the build, <root> in a checkout. */
export const codeRoot = resolve(here, '..');

/** Installed as a dependency (under node_modules), rather than a checkout of splitbrain itself. */
export const installed = packageRoot.split(sep).includes('node_modules');

/** argv after `node` that runs the CLI (`splitbrain ARGS`) in the same language as this code. */
export function cliArgv(args: string[]): string[] {
  return built ? [resolve(codeRoot, 'bin', 'splitbrain.js'), ...args] : ['--import', 'tsx', resolve(codeRoot, 'bin', 'splitbrain.ts'), ...args];
}

/** Where run folders go unless --out says otherwise: the checkout's histories/runs, or the user's ./histories/runs. */
export function defaultRunsDir(): string {
  return installed ? resolve('histories', 'runs') : resolve(packageRoot, 'histories', 'runs');
}
