// `npm run build` (and `prepare`, so `npm install`, `npm ci` and `npm pack`
// build too): the package's JavaScript under dist/, what its `bin` and
// `exports` point at.
//
//   1. tsc (tsconfig.build.json): every module the CLI, the API, the workers
//      and the built-in designs reach, as .js with .d.ts beside it; tsc
//      rewrites relative `.ts` imports to `.js`.
//   2. The built-in designs' definitions (system-under-test/<design>/*.json),
//      translated to the build: a checkout starts a node as
//      `{node} --import tsx ../runtime/main.ts ROLE ...`, the package as
//      `{node} ../runtime/main.js ROLE ...` (nothing to transpile, no tsx).
//      Every .ts file a definition names becomes its .js; the build fails if
//      that file is not in dist/.
//   3. The report's page script and stylesheet, bundled once (esbuild and
//      uPlot are build-time tools, not dependencies of the package).
//
// `--pack` (npm's prepack) then takes the scripts out of package.json, and
// `--restore-manifest` (postpack) puts them back: npm packs package.json as
// it is on disk, and a tarball that carries `prepare` makes every install of
// it warn about an install script not covered by allowScripts, although npm
// never runs it there (the tarball is built). A git install keeps them: it
// must build, and that is a script its user should approve.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundlePage } from '../harness/report/pageBundle.ts';
import { PAGE_ASSET_FILES } from '../harness/report/index.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const designs = join(root, 'system-under-test');
const manifest = join(root, 'package.json');
/** package.json as it was before --pack stripped it; postpack (or the next build, after a pack that died) puts it back. */
const stash = join(root, '.package.json.packing');

/** A definition as the build runs it; `exists(path)` says whether a .js path (relative to the definition) was built. */
export function translateDefinition(raw: Record<string, unknown>, where: string, exists: (relativePath: string) => boolean): Record<string, unknown> {
  const toJs = (arg: string, field: string): string => {
    if (!arg.endsWith('.ts')) return arg;
    const js = `${arg.slice(0, -3)}.js`;
    if (!exists(js)) throw new Error(`${where}: ${field} names ${arg}, but the build has no ${js}`);
    return js;
  };
  const out: Record<string, unknown> = { ...raw };
  const nodes = raw.nodes as Record<string, { command?: string[] }> | undefined;
  if (nodes !== undefined) {
    out.nodes = Object.fromEntries(
      Object.entries(nodes).map(([id, node]) => {
        const command: string[] = [];
        const argv = node.command ?? [];
        for (let i = 0; i < argv.length; i++) {
          // `--import tsx` only loads the TypeScript transpiler.
          if (argv[i] === '--import' && argv[i + 1] === 'tsx') i++;
          else command.push(toJs(argv[i], `nodes.${id}.command`));
        }
        return [id, { ...node, command }];
      }),
    );
  }
  const sim = raw.simulation as { roles?: string } | undefined;
  if (sim?.roles !== undefined) out.simulation = { ...sim, roles: toJs(sim.roles, 'simulation.roles') };
  return out;
}

function tsc(): void {
  const bin = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [bin, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`tsc failed (exit ${r.status ?? r.signal})`);
}

function copyDefinitions(): number {
  let count = 0;
  for (const design of readdirSync(designs, { withFileTypes: true })) {
    if (!design.isDirectory()) continue;
    for (const file of readdirSync(join(designs, design.name))) {
      if (!file.endsWith('.json')) continue;
      const from = join(designs, design.name, file);
      const to = join(dist, relative(root, from));
      const translated = translateDefinition(JSON.parse(readFileSync(from, 'utf8')) as Record<string, unknown>, relative(root, from), (p) => existsSync(resolve(dirname(to), p)));
      mkdirSync(dirname(to), { recursive: true });
      writeFileSync(to, `${JSON.stringify(translated, null, 2)}\n`);
      count++;
    }
  }
  return count;
}

async function writePageAssets(): Promise<void> {
  const { script, css } = await bundlePage();
  const dir = join(dist, 'harness', 'report');
  mkdirSync(join(dir, dirname(PAGE_ASSET_FILES.script)), { recursive: true });
  writeFileSync(join(dir, PAGE_ASSET_FILES.script), script);
  writeFileSync(join(dir, PAGE_ASSET_FILES.css), css);
}

function stripManifest(): void {
  copyFileSync(manifest, stash);
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, unknown>;
  delete pkg.scripts;
  writeFileSync(manifest, `${JSON.stringify(pkg, null, 2)}\n`);
}

function restoreManifest(): void {
  if (existsSync(stash)) renameSync(stash, manifest);
}

async function main(argv: string[]): Promise<void> {
  restoreManifest();
  if (argv.includes('--restore-manifest')) return;
  const t0 = Date.now();
  // From scratch: a module deleted from the source must not live on in the package.
  rmSync(dist, { recursive: true, force: true });
  tsc();
  const definitions = copyDefinitions();
  await writePageAssets();
  chmodSync(join(dist, 'bin', 'splitbrain.js'), 0o755);
  process.stderr.write(`build: dist/ written (${definitions} definitions translated) in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  if (argv.includes('--pack')) stripManifest();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`build: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
