// DESIGN.md: system-under-test imports neither checkers/ nor harness/. Its
// tests may (they run on the harness and judge histories with the real
// checker), and so may their support files (`testkit.ts`), but the store's
// code must not, or the store would be tested by code it depends on. Two checks:
// - no file but tests and test kits imports checkers/ or harness/;
// - what the store's processes actually load (runtime/main.ts and every
//   design's roles.ts, followed through their imports) contains no test file
//   or test kit, nothing from checkers/ or harness/.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : tsFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** Relative specifiers of static imports, re-exports and dynamic imports with a literal. */
export function importsOf(source: string): string[] {
  const specs: string[] = [];
  const patterns = [/^\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]/gm, /^\s*import\s*['"]([^'"]+)['"]/gm, /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const re of patterns) for (const m of source.matchAll(re)) specs.push(m[1]!);
  return specs.filter((s) => s.startsWith('.'));
}

const isTest = (path: string) => path.endsWith('.test.ts') || path.endsWith(`${sep}testkit.ts`);
const inside = (path: string, dir: string) => path === dir || path.startsWith(dir + sep);
const forbidden = [join(repo, 'checkers'), join(repo, 'harness')];

describe('system-under-test import boundaries', () => {
  it('finds imports the way the files write them', () => {
    const src = `import { a } from '../../checkers/index.ts';\nimport type { B } from "./b.ts";\nexport { c } from '../c.ts';\nimport './side.ts';\nconst m = await import('../../harness/x.ts');\nimport fs from 'node:fs';`;
    expect(importsOf(src)).toEqual(['../../checkers/index.ts', './b.ts', '../c.ts', './side.ts', '../../harness/x.ts']);
  });

  it('no store code (neither a test nor a test kit) imports checkers/ or harness/', () => {
    const offenders: string[] = [];
    for (const file of tsFiles(here)) {
      if (isTest(file)) continue;
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        const target = resolve(dirname(file), spec);
        if (forbidden.some((dir) => inside(target, dir))) offenders.push(`${relative(repo, file)} imports ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the store processes load no test code, nothing from checkers/ or harness/', () => {
    const designs = readdirSync(here).filter((d) => existsSync(join(here, d, 'roles.ts')));
    expect(designs.length).toBeGreaterThanOrEqual(3); // naive, failover, viewserver: guards against a walk over nothing
    const queue = [join(here, 'runtime', 'main.ts'), ...designs.map((d) => join(here, d, 'roles.ts'))];
    const loaded = new Set<string>();
    const offenders: string[] = [];
    while (queue.length > 0) {
      const file = queue.pop()!;
      if (loaded.has(file)) continue;
      loaded.add(file);
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        const target = resolve(dirname(file), spec);
        if (isTest(target) || forbidden.some((dir) => inside(target, dir)) || !inside(target, here)) {
          offenders.push(`${relative(repo, file)} imports ${spec}`);
        } else if (existsSync(target)) queue.push(target);
      }
    }
    expect(offenders).toEqual([]);
    expect(loaded.size).toBeGreaterThan(designs.length + 3);
  });
});
