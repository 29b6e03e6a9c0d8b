// `npm run bench checker`: checking time (parse excluded) on the Porcupine
// corpus next to Porcupine's Go figures, peak memory, and large generated
// histories with verdicts known by construction, checked as users run them
// (one cold `check` process per file) beside the Porcupine driver in
// ../shared/anchors.
//
// Like Go's `go test -bench`, each file is checked repeatedly after a warm-up
// and the median is reported, so JIT warm-up is not counted against us, nor
// is it hidden: the first (cold) run of each set is printed too.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPorcupineCorpus, findShared, repoRoot } from '../checkers/corpus-path.ts';
import { checkOperationsSync, loadHistoryFile, pairOperations, type CheckOptions, type Operation } from '../checkers/index.ts';
import { generateHistory } from '../checkers/generate.ts';
import { builtCli } from './built.ts';

const corpus = findPorcupineCorpus() ?? join(repoRoot, '..', 'shared', 'corpus', 'porcupine');

interface Timed {
  name: string;
  valid: unknown;
  medianMs: number;
  minMs: number;
  coldMs: number;
  goMs?: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

function timeCheck(ops: Operation[], options: CheckOptions, minRuns = 5, minMs = 100): { valid: unknown; medianMs: number; minMs: number; coldMs: number } {
  const first = checkOperationsSync(ops, options);
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minRuns || (performance.now() - start < minMs && times.length < 200)) {
    const t0 = performance.now();
    checkOperationsSync(ops, options);
    times.push(performance.now() - t0);
  }
  return { valid: first.valid, medianMs: median(times), minMs: Math.min(...times), coldMs: first.elapsedMs };
}

function goBaseline(): Map<string, number> {
  const out = new Map<string, number>();
  const path = join(corpus, 'GO_BASELINE_BENCH.tsv');
  if (!existsSync(path)) return out;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const [name, ms] = line.split('\t');
    if (name && ms && !name.startsWith('#') && name !== 'benchmark') out.set(name, Number(ms));
  }
  return out;
}

// Go benchmark names: EtcdJepsen000, Kv1ClientOk, Kv50ClientsBad (partitioned variants).
function goName(file: string): string {
  const etcd = /etcd_(\d+)\.log$/.exec(file);
  if (etcd) return `EtcdJepsen${etcd[1]}`;
  const kv = /c(\d+)-(ok|bad)\.txt$/.exec(file);
  if (kv) {
    const n = Number(kv[1]);
    return `Kv${n}Client${n === 1 ? '' : 's'}${kv[2] === 'ok' ? 'Ok' : 'Bad'}`;
  }
  return file;
}

const fmt = (x: number | undefined): string => (x === undefined || Number.isNaN(x) ? '-' : x < 1 ? x.toFixed(3) : x.toFixed(1));

function printTable(title: string, rows: Timed[], showAll: boolean): void {
  const total = rows.reduce((a, r) => a + r.medianMs, 0);
  const cold = rows.reduce((a, r) => a + r.coldMs, 0);
  const best = rows.reduce((a, r) => a + r.minMs, 0);
  const goTotal = rows.reduce((a, r) => a + (r.goMs ?? 0), 0);
  const sorted = [...rows].sort((a, b) => b.medianMs - a.medianMs);
  process.stdout.write(`### ${title}: ${rows.length} files\n`);
  process.stdout.write(`total checking time: ${fmt(total)} ms (sum of per-file medians; of per-file minimums ${fmt(best)} ms; first cold runs ${fmt(cold)} ms); Porcupine (Go) ${fmt(goTotal)} ms\n`);
  process.stdout.write(`per file median ${fmt(median(rows.map((r) => r.medianMs)))} ms, worst ${sorted[0].name} ${fmt(sorted[0].medianMs)} ms\n`);
  process.stdout.write(`file\tverdict\tms\tgo_ms\n`);
  for (const r of showAll ? rows : sorted.slice(0, 10)) process.stdout.write(`${r.name}\t${String(r.valid)}\t${fmt(r.medianMs)}\t${fmt(r.goMs)}\n`);
  if (!showAll) process.stdout.write(`(${rows.length - 10} faster files omitted; BENCH_ALL=1 prints every file)\n`);
  process.stdout.write('\n');
}

function corpusSet(dir: string, pattern: RegExp, go: Map<string, number>, options: CheckOptions): Timed[] {
  const rows: Timed[] = [];
  for (const name of readdirSorted(join(corpus, dir))) {
    if (!pattern.test(name)) continue;
    // etcd_095 is empty (its cluster never started): the loader refuses it, and Go has no figure either.
    if (statSync(join(corpus, dir, name)).size === 0) continue;
    const h = loadHistoryFile(join(corpus, dir, name));
    const ops = pairOperations(h.events);
    const t = timeCheck(ops, { ...options, initialValue: h.initialValue });
    rows.push({ name: `${dir}/${name}`, ...t, goMs: go.get(goName(name)) });
  }
  return rows;
}

function readdirSorted(dir: string): string[] {
  return readdirSync(dir).sort();
}

function peak(when: string): void {
  const mib = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`\npeak memory (max RSS of this process) ${when}: ${fmt(mib)} MiB\n`);
}

export async function run(): Promise<void> {
  const showAll = process.env.BENCH_ALL === '1';
  if (!existsSync(corpus)) {
    process.stdout.write(`(corpus not found at ${corpus}: skipping the Porcupine comparison)\n`);
  } else {
    const go = goBaseline();
    for (const explain of [false, true]) {
      const label = explain
        ? 'CLI default: after a first failing key, other keys get 250 ms more, then each failure is shrunk and explained'
        : 'verdict only, stop at the first failing key, as Porcupine CheckEvents';
      const options: CheckOptions = { explain, timeoutMs: 60_000 };
      printTable(`etcd (jepsen/*.log), ${label}`, corpusSet('jepsen', /\.log$/, go, options), showAll);
      printTable(`kv (kv/*.txt, per key), ${label}`, corpusSet('kv', /\.txt$/, go, options), true);
    }
  }
  peak('after the corpus');
  coldAgainstPorcupine();
  process.stdout.write('\n### generated: 2,000 ops on one key, 10 clients, indeterminate writes, one injected stale read\n');
  process.stdout.write('(the case where Porcupine gives up; "no reductions" is our search without reduce.ts, limited to 5 s)\n');
  process.stdout.write('info rate\tseed\tverdict\tms\tno reductions: verdict\tms\n');
  for (const infoRate of [0.02, 0.05]) {
    for (const seed of [1, 2]) {
      const ops = pairOperations(generateHistory({ ops: 2000, keys: 1, clients: 10, seed, infoRate, violate: true }).events);
      const cells: string[] = [];
      for (const reduce of [true, false]) {
        const t0 = performance.now();
        const r = checkOperationsSync(ops, { timeoutMs: reduce ? 60_000 : 5_000, explain: false, reduce });
        cells.push(String(r.valid), fmt(performance.now() - t0));
      }
      process.stdout.write(`${infoRate}\t${seed}\t${cells.join('\t')}\n`);
    }
  }
  peak('at the end (the no-reduction runs fill the search cache up to its budget)');
}

// Cold, one process per file, as a user runs `check` (the built CLI): JIT warm-up, module
// loading of the search and any worker start count against us, parsing does
// not (elapsedMs and porcdrv's figure both time the check alone). Rounds are
// interleaved (ours, then Porcupine's, file by file) so a busy neighbour
// slows both sides alike; a file Porcupine could not decide in its time
// limit is not given to it again.
const COLD_SPECS = [3_000, 10_000, 50_000].flatMap((ops) => [1, 4, 64].flatMap((keys) => [false, true].map((violate) => ({ ops, keys, violate }))));
const PORCUPINE_TIMEOUT_S = 10;

interface ColdRun {
  verdict: string;
  /** Checking time: for us, the whole report (elapsedMs); for porcdrv, until its verdict. */
  ms: number;
  /** Ours only: until the verdict was certain (verdictMs), Porcupine's measure. */
  verdictMs?: number;
  /** The whole process, start to exit, as a user waits for it: start-up, reading and parsing the file, checking, printing. */
  wallMs: number;
}

function ourColdCheck(file: string): ColdRun {
  // The package's build, as `npx splitbrain check` runs it (not the sources under tsx).
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [builtCli(), 'check', '--json', file], { cwd: repoRoot, encoding: 'utf8', maxBuffer: 1 << 30 });
  const wallMs = performance.now() - t0;
  const doc = JSON.parse(r.stdout) as { valid: unknown; elapsedMs: number; verdictMs: number };
  return { verdict: doc.valid === true ? 'ok' : doc.valid === false ? 'illegal' : 'unknown', ms: doc.elapsedMs, verdictMs: doc.verdictMs, wallMs };
}

function porcupineCheck(porcdrv: string, file: string): ColdRun {
  const t0 = performance.now();
  const r = spawnSync(porcdrv, ['-timeout', String(PORCUPINE_TIMEOUT_S), file], { encoding: 'utf8' });
  const wallMs = performance.now() - t0;
  const [, verdict, ms] = r.stdout.trim().split('\t');
  if (verdict === undefined) throw new Error(`porcdrv printed nothing for ${file}: ${r.stderr}`);
  return { verdict, ms: Number(ms), wallMs };
}

export function coldAgainstPorcupine(): void {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
  const porcdrv = findShared('anchors', 'bin', 'porcdrv');
  process.stdout.write(`\n### generated histories, cold: one \`check --json\` process per file (its elapsedMs) beside Porcupine (porcdrv, limit ${PORCUPINE_TIMEOUT_S} s), ${rounds} interleaved rounds, medians\n`);
  process.stdout.write('(10 clients, 3% of writes and cas indeterminate; "bad": one stale read injected, a violation by construction)\n');
  process.stdout.write('(ours: "verdict" is verdictMs, until the verdict was certain, what porcdrv times: it stops at the first illegal key; "report" is elapsedMs,\n');
  process.stdout.write(' which adds what check does after a violation: the other keys\' searches, so that every failing key is named, then shrinking and explaining)\n');
  process.stdout.write('("whole process": wall ms from spawn to exit, as a user waits: start-up, reading and parsing the file, checking, printing)\n');
  if (porcdrv === null) process.stdout.write(`(Porcupine driver not found at ${join(repoRoot, '..', 'shared', 'anchors', 'bin', 'porcdrv')}: our figures only)\n`);
  const dir = mkdtempSync(join(tmpdir(), 'splitbrain-bench-'));
  try {
    const files = COLD_SPECS.map((spec) => {
      const { events, violated } = generateHistory({ ...spec, clients: 10, seed: spec.ops + spec.keys, infoRate: 0.03 });
      if (spec.violate !== violated) throw new Error(`generator could not inject a violation into ${JSON.stringify(spec)}`);
      const path = join(dir, `${spec.ops}ops-${spec.keys}keys-${spec.violate ? 'bad' : 'ok'}.jsonl`);
      writeFileSync(path, `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
      return { ...spec, path, ours: [] as ColdRun[], theirs: [] as ColdRun[] };
    });
    for (let round = 0; round < rounds; round++) {
      for (const f of files) {
        f.ours.push(ourColdCheck(f.path));
        const undecided = f.theirs.some((t) => t.verdict === 'unknown');
        if (porcdrv !== null && !undecided) f.theirs.push(porcupineCheck(porcdrv, f.path));
      }
    }
    process.stdout.write('ops\tkeys\texpected\tverdict\tms to verdict (min-max)\tms to report\tporcupine\tms (min-max)\tours/porcupine: verdict\treport\twhole process, ours\tporcupine\n');
    const spread = (ms: number[]): string => (ms.length === 0 ? '-' : `${fmt(median(ms))} (${fmt(Math.min(...ms))}-${fmt(Math.max(...ms))})`);
    const verdicts = (runs: ColdRun[]): string => [...new Set(runs.map((r) => r.verdict))].join('/') || '-';
    for (const f of files) {
      const toVerdict = f.ours.map((r) => r.verdictMs ?? r.ms);
      const toReport = f.ours.map((r) => r.ms);
      const decided = f.theirs.length > 0 && f.theirs.every((t) => t.verdict !== 'unknown');
      const theirs = median(f.theirs.map((r) => r.ms));
      const ratios = decided
        ? `${fmt(median(toVerdict) / theirs)}\t${fmt(median(toReport) / theirs)}`
        : f.theirs.length > 0
          ? `Porcupine undecided after ${PORCUPINE_TIMEOUT_S} s\t`
          : '-\t-';
      const wall = (runs: ColdRun[]): string => (runs.length === 0 ? '-' : fmt(median(runs.map((r) => r.wallMs))));
      process.stdout.write(
        `${f.ops}\t${f.keys}\t${f.violate ? 'illegal' : 'ok'}\t${verdicts(f.ours)}\t${spread(toVerdict)}\t${fmt(median(toReport))}\t${verdicts(f.theirs)}\t${spread(f.theirs.map((r) => r.ms))}\t${ratios}\t${wall(f.ours)}\t${wall(f.theirs)}\n`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
