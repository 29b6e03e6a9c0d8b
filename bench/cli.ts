// `npm run bench -- cli`: how long a command takes as a user starts it, whole
// (process start to exit), for the package's build (dist/, what `npx
// splitbrain` runs) beside the TypeScript sources under tsx (what the npm
// scripts of a checkout run), with Node's own start as the floor. And how
// long a checker worker thread takes to start and answer, built and under
// tsx: what decides whether checkHistory can hand keys to workers early.
// Commands are interleaved round by round, so a busy neighbour slows all alike.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../checkers/corpus-path.ts';
import { builtCli } from './built.ts';

const TARGETS_MS: Record<string, number> = { 'check --help': 300, 'check (small history)': 400 };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

function wallMs(argv: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, argv, { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = performance.now() - t0;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

// A worker as checkers/workers.ts starts one, timed to its first reply (one tiny key searched).
const WORKER_PROBE = `
const { Worker } = await import('node:worker_threads');
const { workerBootCode, sibling } = await import(process.argv[1]);
const code = workerBootCode(sibling(process.argv[1], './key-worker'));
const op = { id: 0, key: 'x', f: 'write', input: 1, output: null, status: 'ok', call: 0, return: 1, invokeIndex: 0, completeIndex: 1, process: 0 };
const t0 = performance.now();
const w = new Worker(code, { eval: true });
w.postMessage({ key: 'x', ops: [op], initial: null, reduce: true, timeoutMs: 10000, maxCacheBytes: 1 << 20 });
w.once('message', () => { console.log(performance.now() - t0); w.terminate(); });
w.once('error', (e) => { console.error(e); process.exit(1); });
`;

function workerMs(workersModule: string): number {
  const loader = workersModule.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const r = spawnSync(process.execPath, [...loader, '--input-type=module', '-e', WORKER_PROBE, pathToFileURL(workersModule).href], { cwd: repoRoot, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`worker probe failed: ${r.stderr}`);
  return Number(r.stdout.trim());
}

export async function run(): Promise<void> {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 15);
  const built = builtCli();
  const source = ['--import', 'tsx', join(repoRoot, 'bin', 'splitbrain.ts')];
  const small = join(repoRoot, 'histories', 'examples', 'ok-design-example.jsonl');
  const rows: Array<{ name: string; argv: string[]; target?: number; times: number[] }> = [
    { name: 'node -e 0 (Node\'s own start)', argv: ['-e', '0'], times: [] },
    { name: 'check --help', argv: [built, 'check', '--help'], target: TARGETS_MS['check --help'], times: [] },
    { name: 'check (small history)', argv: [built, 'check', small], target: TARGETS_MS['check (small history)'], times: [] },
    { name: 'torture --help', argv: [built, 'torture', '--help'], times: [] },
    { name: 'check --help, sources under tsx', argv: [...source, 'check', '--help'], times: [] },
    { name: 'check (small history), sources under tsx', argv: [...source, 'check', small], times: [] },
  ];
  const workers = [
    { name: 'checker worker, built (start to first reply)', module: join(repoRoot, 'dist', 'checkers', 'workers.js'), times: [] as number[] },
    { name: 'checker worker, TypeScript under tsx', module: join(repoRoot, 'checkers', 'workers.ts'), times: [] as number[] },
  ];
  for (let i = 0; i < rounds; i++) {
    for (const r of rows) r.times.push(wallMs(r.argv));
    for (const w of workers) w.times.push(workerMs(w.module));
  }
  process.stdout.write(`### whole commands, wall time from process start to exit: ${rounds} interleaved rounds, medians (min-max)\n`);
  process.stdout.write('command\tms\ttarget\n');
  const fmt = (xs: number[]) => `${median(xs).toFixed(0)} (${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)})`;
  for (const r of rows) {
    const verdict = r.target === undefined ? '' : `< ${r.target} ms: ${median(r.times) < r.target ? 'met' : 'MISSED'}`;
    process.stdout.write(`${r.name}\t${fmt(r.times)}\t${verdict}\n`);
  }
  for (const w of workers) process.stdout.write(`${w.name}\t${fmt(w.times)}\t\n`);
}
