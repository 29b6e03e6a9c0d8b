// The package as a user gets it (issue 13): `npm pack`, installed into a
// fresh project as a dev dependency, then the CLI (`npx splitbrain ...`) and
// the API (`import { check, torture } from 'splitbrain'`) used from there,
// with none of this checkout's node_modules in reach. Installing fetches the
// package's dependencies from the registry: without one, the test skips and
// says so.
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..');
const project = mkdtempSync(join(tmpdir(), 'splitbrain-user-'));
const checkout = mkdtempSync(join(tmpdir(), 'splitbrain-checkout-'));
afterAll(() => {
  rmSync(project, { recursive: true, force: true });
  rmSync(checkout, { recursive: true, force: true });
});

/**
 * A copy of this checkout to pack: packing rebuilds dist/ and rewrites
 * package.json for a moment (scripts/build.ts), which the tests running
 * beside this one must not see.
 */
function copyCheckout(): void {
  for (const entry of ['package.json', 'package-lock.json', 'README.md', 'index.ts', 'tsconfig.json', 'tsconfig.build.json', 'bin', 'checkers', 'harness', 'system-under-test', 'scripts']) {
    cpSync(join(root, entry), join(checkout, entry), { recursive: true });
  }
  symlinkSync(join(root, 'node_modules'), join(checkout, 'node_modules'));
}

/** A command in the user's project; its exit code, stdout and stderr, whatever the code. */
async function sh(cmd: string, args: string[], timeout = 120_000): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(cmd, args, { cwd: project, timeout, maxBuffer: 64 << 20, env: { ...process.env, INIT_CWD: undefined, npm_lifecycle_event: undefined, npm_config_prefix: undefined } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const x = e as { code: number | string; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : -1, stdout: x.stdout ?? '', stderr: x.stderr ?? String(e) };
  }
}

const API_SCRIPT = `
import { check, checkFile, torture } from 'splitbrain';
const events = [
  { index: 0, time: 0, process: 0, type: 'invoke', f: 'write', key: 'x', value: 1 },
  { index: 1, time: 10, process: 0, type: 'ok', f: 'write', key: 'x', value: 1 },
  { index: 2, time: 20, process: 1, type: 'invoke', f: 'read', key: 'x', value: null },
  { index: 3, time: 30, process: 1, type: 'ok', f: 'read', key: 'x', value: 2 },
];
const bad = await check(events);
const file = await checkFile('history.jsonl');
const phases = new Set();
const report = await torture({
  systems: ['viewserver'], nemeses: ['none'], workload: { timeLimitS: 2 }, out: 'runs', seed: 7,
  onProgress: (_run, p) => phases.add(p.phase),
});
console.log(JSON.stringify({ bad: bad.valid, explanation: bad.failures[0]?.explanation ?? null, file: file.valid, pass: report.pass, valid: report.runs[0].valid, phases: [...phases] }));
`;

const CONSUMER_TS = `
import { check, torture, type CheckResult, type TortureReport } from 'splitbrain';
export const verdict: Promise<CheckResult> = check([], { timeoutMs: 1000, signal: AbortSignal.timeout(1000) });
export const gate: () => Promise<TortureReport> = () => torture({ quick: true, onRunEnd: (run, r) => console.log(run.index, r.valid) });
`;

it('installs from the packed tarball into a fresh project: the CLI and the API work there', { timeout: 600_000 }, async (ctx) => {
  const ping = await sh('npm', ['ping'], 30_000);
  if (ping.code !== 0) {
    console.warn(`\n*** package test SKIPPED: the npm registry is unreachable (npm ping: ${ping.stderr.trim().split('\n').pop()}) ***\n`);
    ctx.skip('the npm registry is unreachable');
  }
  // npm pack runs prepack: the tarball holds a fresh build.
  copyCheckout();
  const packed = await run('npm', ['pack', '--pack-destination', project, '--silent'], { cwd: checkout, timeout: 300_000, maxBuffer: 16 << 20 });
  const tarball = join(project, packed.stdout.trim().split('\n').pop()!);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'my-store', private: true, type: 'module' }));
  const install = await sh('npm', ['install', '-D', '--no-audit', '--no-fund', tarball], 300_000);
  expect(install.stderr).not.toMatch(/install-scripts|allowScripts/);
  expect(install.code).toBe(0);
  // The package brings no tools the user did not ask for: no TypeScript loader, no bundler.
  expect(readdirSync(join(project, 'node_modules')).filter((d) => ['tsx', 'esbuild', 'typescript', 'vitest'].includes(d))).toEqual([]);

  copyFileSync(join(root, 'histories', 'examples', 'ok-design-example.jsonl'), join(project, 'history.jsonl'));
  const checked = await sh('npx', ['splitbrain', 'check', '--json', 'history.jsonl']);
  expect(checked.stderr).toBe('');
  expect(JSON.parse(checked.stdout)).toMatchObject({ file: 'history.jsonl', valid: true });

  // The user's own system, defined next to its code, as README's worked example.
  mkdirSync(join(project, 'store'));
  for (const f of ['server.js', 'system.json']) copyFileSync(join(root, 'examples', 'kvstore', f), join(project, 'store', f));
  const tortured = await sh('npx', ['splitbrain', 'torture', '--system', './store/system.json', '--nemesis', 'isolate', '--time-limit', '3', '--out', 'runs', '--json'], 180_000);
  expect(tortured.code, tortured.stderr).toBe(0);
  expect(JSON.parse(tortured.stdout)).toMatchObject({ pass: true, runs: [{ system: 'kvstore', valid: true }] });

  // The API, with a built-in design whose nodes start from the package's runtime.
  writeFileSync(join(project, 'api.mjs'), API_SCRIPT);
  const api = await sh(process.execPath, ['api.mjs'], 180_000);
  expect(api.code, api.stderr).toBe(0);
  const out = JSON.parse(api.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
  expect(out).toMatchObject({ bad: false, file: true, pass: true, valid: true });
  expect(out.explanation).toMatch(/read/);
  expect(out.phases).toEqual(expect.arrayContaining(['running', 'checking', 'done']));

  // The declarations type a user's TypeScript (this checkout's compiler, the project's package).
  writeFileSync(join(project, 'consumer.ts'), CONSUMER_TS);
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: false, types: ['node'], typeRoots: [join(root, 'node_modules', '@types')] },
    files: ['consumer.ts'],
  }));
  const tsc = await sh(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']);
  expect(tsc.stdout + tsc.stderr).toBe('');
  expect(tsc.code).toBe(0);
});
