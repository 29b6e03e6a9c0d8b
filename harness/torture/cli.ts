// `npm run torture`: plan the runs, run them one after another with a live
// progress line on stderr, print the verdict table (or one JSON document with
// --json), and exit 0 when every verdict matches what its system claims,
// 1 otherwise, 2 on usage errors.
import { join, relative, resolve } from 'node:path';
import { describeNemeses, NemesisSpecError, parseNemesis, splitNemesisList } from '../nemeses/index.ts';
import { defaultRunsDir } from '../packageRoot.ts';
import { binSystem } from '../system/binSystem.ts';
import { builtinSystems, DefinitionError, type Claim } from '../system/definition.ts';
import { defaultWorkload, planMatrix, quickWorkload, type Cell, type Workload } from './matrix.ts';
import { runOnce, type Progress, type RunResult } from './run.ts';
import { readScheduleFile, ScheduleFileError } from './schedule.ts';
import { simulateCell, type SimCellResult } from './simulate.ts';
import { availabilityCell } from './availability.ts';
import { renderLectureTable, renderSimTable, renderTable, type TableRow } from './table.ts';
import { checkRealRunNeeds, reproduce, runMatrix, runReport, safeName as safe, shellQuote, timestamp, TORTURE, type RunLabel } from './torture.ts';


export interface TortureArgs {
  systems?: string[];
  /** A Maelstrom program run as nodes n1..nN (--bin, --node-count, --claims). */
  bin?: string;
  nodeCount?: number;
  claims?: Claim;
  nemeses?: string[];
  timeLimitS?: number;
  concurrency?: number;
  keys?: number;
  rate?: number;
  seed?: number;
  runs: number;
  quick: boolean;
  json: boolean;
  out?: string;
  toxiproxy?: string;
  /** The simulation engine instead of real processes. */
  sim: boolean;
  keepAll: boolean;
  /** A schedule.json to run again. */
  replay?: string;
  engine?: 'processes' | 'sim';
  help: boolean;
}

export class UsageError extends Error {}

export function usage(): string {
  const d = defaultWorkload;
  const q = quickWorkload;
  return `usage: npm run -s torture -- [options]

Runs a system as real processes behind a fault proxy, drives concurrent
clients while a nemesis attacks, records and checks the history. With no
options: every built-in design (${builtinSystems().join(', ') || 'none found'}) against the nemeses it lists.

options:
  --system NAME|FILE   a built-in design or a system definition file (README,
                       "System definitions"); repeat or comma-separate for several
  --bin "CMD"          instead of --system: a Maelstrom lin-kv node program (JSON on
                       stdin/stdout), e.g. --bin "python3 my_node.py", run as nodes
                       n1..nN that all take clients and may message each other
  --node-count N       with --bin: how many nodes (default ${DEFAULT_NODE_COUNT}, as Maelstrom)
  --claims C           with --bin: linearizable (default) or not-linearizable (a
                       known-broken program, which the run must catch)
  --nemesis LIST       runs separated by ",", parts of one run joined by "+",
                       partitions take ":drop" (default) or ":reset"; "none" = no faults
                       e.g. --nemesis isolate-primary,partition:reset+kill
  --time-limit S       seconds of workload per run (default ${d.timeLimitS}, --quick ${q.timeLimitS})
  --concurrency N      logical client processes (default ${d.concurrency})
  --keys N             registers the clients share (default ${d.keys})
  --rate R             operations per second, all clients together (default ${d.rate})
  --seed N             seed of the workload and nemesis schedules (default: random, printed)
  --runs N             repeat each run N times (default 1), with seeds S, S+1, ... from --seed S
  --quick              the CI gate: short runs, chosen to catch the broken designs and
                       pass the correct one every time (well under 3 minutes)
  --json               print one JSON document on stdout: {"pass", "runs": [...]}
  --out DIR            put run folders in DIR (default histories/runs/)
  --toxiproxy URL      use this Toxiproxy server (also TOXIPROXY_URL) instead of the built-in one
  --sim                run the system's own node code in the deterministic simulator
                       (its definition's "simulation" roles): virtual time, a 20 s run in
                       milliseconds, the same seed giving the same history byte for byte;
                       --runs N runs seeds S..S+N-1 on every core. Writes run folders only
                       for runs whose verdict does not match the claim, and for the first
                       violation of each cell, shrunk to the fewest operations and faults
                       that still fail (its folder's schedule.json replays it)
  --keep-all           with --sim: write every run's folder
  --replay FILE        run a schedule.json again, exactly (the simulator), or
  --engine processes   ... on real processes and real proxies (as wall-clock time allows)
  --help               this text

nemeses:
  none                              no faults
${describeNemeses()}

Each run writes history.jsonl (as it goes), results.json and report.html into
<out>/<timestamp>-<system>-<nemesis>/.
exit: 0 every verdict matches what the system claims, 1 otherwise, 2 usage error.
`;
}

/** Maelstrom's (Jepsen's) default node list is n1..n5. */
export const DEFAULT_NODE_COUNT = 5;

export function parseArgs(argv: string[]): TortureArgs {
  const args: TortureArgs = { runs: 1, quick: false, json: false, sim: false, keepAll: false, help: false };
  const positive = (flag: string, v: string | undefined, integer = true): number => {
    const n = Number(v);
    if (v === undefined || v === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
      throw new UsageError(`${flag} needs a positive ${integer ? 'integer' : 'number'}, got ${v === undefined ? 'nothing' : JSON.stringify(v)}`);
    }
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    let flag = argv[i];
    let value: string | undefined;
    const eq = flag.indexOf('=');
    if (flag.startsWith('--') && eq > 0) {
      value = flag.slice(eq + 1);
      flag = flag.slice(0, eq);
    }
    const takeValue = (): string => {
      if (value !== undefined) return value;
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--help':
      case '-h':
        args.help = true;
        break;
      case '--system':
        args.systems = [...(args.systems ?? []), ...takeValue().split(',').filter(Boolean)];
        break;
      case '--nemesis':
        args.nemeses = [...(args.nemeses ?? []), ...splitNemesisList(takeValue())];
        if (args.nemeses.length === 0) throw new UsageError('--nemesis needs at least one nemesis (or "none")');
        break;
      case '--bin':
        args.bin = takeValue();
        if (args.bin.trim() === '') throw new UsageError('--bin needs a program, e.g. --bin "python3 my_node.py"');
        break;
      case '--node-count':
        args.nodeCount = positive(flag, takeValue());
        break;
      case '--claims': {
        const v = takeValue();
        if (v !== 'linearizable' && v !== 'not-linearizable') throw new UsageError(`--claims must be linearizable or not-linearizable, got ${JSON.stringify(v)}`);
        args.claims = v;
        break;
      }
      case '--time-limit':
        args.timeLimitS = positive(flag, takeValue(), false);
        break;
      case '--concurrency':
        args.concurrency = positive(flag, takeValue());
        break;
      case '--keys':
        args.keys = positive(flag, takeValue());
        break;
      case '--rate':
        args.rate = positive(flag, takeValue(), false);
        break;
      case '--seed': {
        const v = takeValue();
        const n = Number(v);
        if (!/^\d+$/.test(v) || n > 0xffffffff) throw new UsageError(`--seed needs an integer from 0 to ${0xffffffff}, got ${JSON.stringify(v)}`);
        args.seed = n;
        break;
      }
      case '--runs':
        args.runs = positive(flag, takeValue());
        break;
      case '--quick':
        args.quick = true;
        break;
      case '--json':
        args.json = true;
        break;
      case '--out':
        args.out = takeValue();
        break;
      case '--toxiproxy':
        args.toxiproxy = takeValue();
        break;
      case '--sim':
        args.sim = true;
        break;
      case '--keep-all':
        args.keepAll = true;
        break;
      case '--replay':
        args.replay = takeValue();
        break;
      case '--engine': {
        const v = takeValue();
        if (v !== 'processes' && v !== 'sim') throw new UsageError(`--engine must be processes or sim, got ${JSON.stringify(v)}`);
        args.engine = v;
        break;
      }
      default:
        throw new UsageError(`unknown option ${JSON.stringify(argv[i])}`);
    }
  }
  if (args.bin !== undefined && args.systems !== undefined) throw new UsageError('--bin and --system both name the system under test: give one');
  if (args.bin === undefined && args.nodeCount !== undefined) throw new UsageError('--node-count goes with --bin (a definition file lists its nodes)');
  if (args.bin === undefined && args.claims !== undefined) throw new UsageError('--claims goes with --bin (a definition file states its claim)');
  return args;
}

export async function main(argv: string[]): Promise<number> {
  let args: TortureArgs;
  let cells: Cell[];
  try {
    args = parseArgs(argv);
    if (args.help) {
      process.stdout.write(usage());
      return 0;
    }
    const overrides: Partial<Workload> = {};
    if (args.timeLimitS !== undefined) overrides.timeLimitS = args.timeLimitS;
    if (args.concurrency !== undefined) overrides.concurrency = args.concurrency;
    if (args.keys !== undefined) overrides.keys = args.keys;
    if (args.rate !== undefined) overrides.rate = args.rate;
    if (args.keepAll && !args.sim) throw new UsageError('--keep-all goes with --sim (real runs always keep their folders)');
    if (args.engine !== undefined && args.replay === undefined) throw new UsageError('--engine goes with --replay (use --sim for the simulator)');
    if (args.replay !== undefined) {
      if (args.systems || args.nemeses || args.sim) throw new UsageError('--replay runs the schedule file as it is: it takes no --system, --nemesis or --sim');
      return await replay(args);
    }
    const systems = args.bin !== undefined
      ? [binSystem({ command: args.bin, nodeCount: args.nodeCount ?? DEFAULT_NODE_COUNT, claims: args.claims ?? 'linearizable', cwd: invokedFrom() })]
      : args.systems;
    cells = planMatrix({ systems, nemeses: args.nemeses, quick: args.quick, overrides });
    if (cells.length === 0) throw new UsageError('nothing to run: no built-in systems found and no --system given');
    // Validate every nemesis against its system (and engine) before starting anything.
    for (const c of cells) parseNemesis(c.nemesis, c.system, args.sim ? 'sim' : 'processes');
    if (args.sim) {
      const { loadSimRoles } = await import('../sim/roles.ts');
      for (const c of cells) await loadSimRoles(c.system);
    } else {
      await checkRealRunNeeds(cells);
    }
  } catch (err) {
    if (err instanceof UsageError || err instanceof DefinitionError || err instanceof NemesisSpecError || err instanceof ScheduleFileError) {
      process.stderr.write(`torture: ${err.message}\n(see npm run -s torture -- --help)\n`);
      return 2;
    }
    throw err;
  }

  const seed = args.seed ?? Math.floor(Math.random() * 0x7fffffff);
  const outRoot = resolve(args.out ?? defaultRunsDir());
  const toxiproxyUrl = args.toxiproxy ?? process.env.TOXIPROXY_URL;
  if (args.sim) return simulate(cells, args, seed, outRoot);
  const total = cells.length * args.runs;
  const log = (s: string) => process.stderr.write(s);
  log(`torture: seed ${seed} (replay with --seed ${seed}); ${total} run${total === 1 ? '' : 's'}${toxiproxyUrl ? `; Toxiproxy at ${toxiproxyUrl}` : ''}\n`);

  let progress: ProgressLine | undefined;
  const labelOf = (run: RunLabel) => `[${run.index}/${run.total}] ${run.system} × ${run.nemesis}`;
  const { pass, outcomes: results, standings } = await runMatrix(cells, {
    seed,
    runs: args.runs,
    outRoot,
    toxiproxyUrl,
    command: (cell, s) => reproduce(cell, s, args),
    onRunStart: (run) => (progress = new ProgressLine(labelOf(run))),
    onProgress: (_run, p) => progress?.update(p),
    onRunEnd: (run, r) => {
      const label = labelOf(run);
      progress?.done('error' in r ? `${label}: ${r.stopped ? 'stopped' : 'could not run'}: ${r.error}` : `${label}: ${verdictWord(r.valid)} (expected ${r.expected ? 'linearizable' : 'caught'})${runNotes(r)}  ${shownPath(r.historyPath)}`);
    },
  });
  const rows: TableRow[] = results.map((r, i) =>
    'error' in r
      ? { system: r.cell.system.name, nemesis: r.cell.nemesis, seed: r.seed, ops: 0, ok: 0, fail: 0, info: 0, verdict: 'error', expected: r.cell.system.claims === 'linearizable' ? 'valid' : 'caught', standing: standings[i], firstViolation: '', availability: '-', history: '' }
      : {
          system: r.system,
          nemesis: r.nemesis,
          seed: r.seed,
          ops: r.ops,
          ok: r.ok,
          fail: r.fail,
          info: r.info,
          verdict: verdictWord(r.valid),
          expected: r.expected ? 'valid' : 'caught',
          standing: standings[i],
          firstViolation: r.firstViolationS === null ? '' : `${r.firstViolationS.toFixed(1)}s`,
          availability: availabilityCell(r.availability) + (r.availabilityFailure ? ' (claimed)' : ''),
          history: shownPath(r.historyPath),
        },
  );
  const completed = results.filter((r): r is RunResult & { repetition: number; file: string } => !('error' in r));
  const broken = completed.filter((r) => r.availabilityFailure !== null).map((r) => `  ${r.system} × ${r.nemesis} (seed ${r.seed}): claims to stay available, but ${r.availabilityFailure}`);
  const mismatches = standings.filter((s) => s === 'MISMATCH').length;
  const lecture = planIsDefaultMatrix(args) ? `\n${renderLectureTable(completed)}` : '';
  const table =
    renderTable(rows) +
    (broken.length > 0 ? `\navailability claims broken:\n${broken.join('\n')}\n` : '') +
    lecture +
    `\n${pass ? 'PASS' : 'FAIL'}: ${pass ? 'every verdict matches' : `${mismatches} of ${rows.length} runs do not match`} what the systems claim ` +
    `(a linearizable system must pass every run; a broken one must be caught by at least one of its runs; claimed availability must hold) — seed ${seed}\n`;
  if (args.json) {
    log(table);
    const doc = { pass, runs: results.map(runReport) };
    process.stdout.write(JSON.stringify(doc) + '\n');
  } else {
    process.stdout.write(table);
  }
  return pass ? 0 : 1;
}

/** `--sim`: each cell as a batch of seeds; the table summarises each cell. */
async function simulate(cells: Cell[], args: TortureArgs, seed: number, outRoot: string): Promise<number> {
  const log = (s: string) => process.stderr.write(s);
  log(`torture: simulation, seed ${seed} (replay with --seed ${seed}); ${cells.length} cell${cells.length === 1 ? '' : 's'} × ${args.runs} run${args.runs === 1 ? '' : 's'}\n`);
  const results: SimCellResult[] = [];
  const stamp = timestamp();
  for (const [i, cell] of cells.entries()) {
    const label = `[${i + 1}/${cells.length}] ${cell.system.name} × ${cell.nemesis} (sim)`;
    const line = new ProgressLine(label);
    const started = Date.now();
    const res = await simulateCell(cell, {
      runs: args.runs,
      seed,
      keepAll: args.keepAll,
      // Shrinking is bounded by runs, not time, so a seed shrinks to the same schedule on any machine; the cap is a safety net.
      shrinkMs: 15 * 60_000,
      runDir: (c, s) => join(outRoot, `${stamp}-${safe(c.system.name)}-${safe(c.nemesis)}-sim-${s}`),
      command: (c, s) => reproduce(c, s, args) + ' --sim',
      onProgress: (_c, done, total, violations) => line.text(`${done}/${total} runs  ${((done * 1000) / Math.max(1, Date.now() - started)).toFixed(0)} runs/s  violations ${violations}`),
      onShrink: (_c, s) => line.text(`shrinking the violation of seed ${s}...`),
    });
    const caught = res.summaries.filter((r) => r.valid === false).length;
    line.done(`${label}: ${res.summaries.length} runs in ${((Date.now() - started) / 1000).toFixed(1)} s, ${caught} with a violation`);
    results.push(res);
  }
  // A correct system must pass every run; a broken one must be caught by at least one run of its cells.
  const bySystem = new Map<string, SimCellResult[]>();
  for (const r of results) bySystem.set(r.cell.system.file, [...(bySystem.get(r.cell.system.file) ?? []), r]);
  const systemPass = new Map<string, boolean>();
  for (const [file, rs] of bySystem) {
    const claimsLinearizable = rs[0].cell.system.claims === 'linearizable';
    const all = rs.flatMap((r) => r.summaries);
    const safe = claimsLinearizable ? all.every((s) => s.valid === true) : all.some((s) => s.valid === false);
    systemPass.set(file, safe && all.every((s) => s.availabilityFailure === null));
  }
  const pass = [...systemPass.values()].every(Boolean);
  const table =
    renderSimTable(results.map((r) => ({ result: r, systemPass: systemPass.get(r.cell.system.file)!, shown: shownPath }))) +
    `\n${pass ? 'PASS' : 'FAIL'}: ${pass ? 'every system behaves as it claims' : 'some systems do not behave as they claim'} ` +
    `(in simulation, a linearizable system must pass every run; a broken one must be caught at least once) — seed ${seed}\n`;
  if (args.json) {
    log(table);
    const runs = results.flatMap((r) =>
      r.summaries.map((s) => {
        const kept = r.kept.get(s.seed)?.result;
        return {
          system: r.cell.system.name, nemesis: r.cell.nemesis, seed: s.seed, engine: 'sim', ops: s.ops, ok: s.ok, fail: s.fail, info: s.info,
          valid: s.valid, expected: s.expected, unknownReason: s.unknownReason, availability: s.availability, availabilityFailure: s.availabilityFailure,
          historyPath: kept?.historyPath ?? null, reportPath: kept?.reportPath ?? null, schedulePath: kept?.schedulePath ?? null,
        };
      }),
    );
    process.stdout.write(JSON.stringify({ pass, runs }) + '\n');
  } else {
    process.stdout.write(table);
  }
  return pass ? 0 : 1;
}

/** `--replay FILE [--engine processes|sim]`: the schedule of a run, run again. */
async function replay(args: TortureArgs): Promise<number> {
  const file = readScheduleFile(resolve(args.replay!));
  const { loadSystem } = await import('../system/definition.ts');
  const system = loadSystem(file.system);
  const engine = args.engine ?? file.engine;
  parseNemesis(file.nemesis, system, engine);
  const outRoot = resolve(args.out ?? defaultRunsDir());
  const runDir = join(outRoot, `${timestamp()}-${safe(system.name)}-${safe(file.nemesis)}-replay-${engine}`);
  process.stderr.write(`torture: replaying ${args.replay} (${file.schedule.slots.flat().length} operations, ${file.schedule.cycles.length} fault cycles) on ${engine === 'sim' ? 'the simulator' : 'real processes'}\n`);
  const line = new ProgressLine(`${system.name} × ${file.nemesis} (replay)`);
  const res = await runOnce({
    ...file.workload, system, nemesis: file.nemesis, seed: file.seed, runDir, engine, schedule: file.schedule, keepFiles: 'always',
    toxiproxyUrl: args.toxiproxy ?? process.env.TOXIPROXY_URL,
    command: `${TORTURE} --replay ${shellQuote(args.replay!)}${args.engine ? ` --engine ${args.engine}` : ''}`,
    onProgress: (p) => line.update(p),
  });
  line.done(`${system.name} × ${file.nemesis} (replay on ${engine}): ${verdictWord(res.valid)}${res.unknownReason ? ` — ${res.unknownReason}` : ''}  ${shownPath(res.historyPath)}`);
  const row: TableRow = {
    system: res.system, nemesis: res.nemesis, seed: res.seed, ops: res.ops, ok: res.ok, fail: res.fail, info: res.info, verdict: verdictWord(res.valid),
    expected: res.expected ? 'valid' : 'caught', standing: res.matches ? 'ok' : 'MISMATCH', firstViolation: res.firstViolationS === null ? '' : `${res.firstViolationS.toFixed(1)}s`,
    availability: availabilityCell(res.availability), history: shownPath(res.historyPath),
  };
  if (args.json) process.stdout.write(JSON.stringify({ pass: res.matches, runs: [{ system: res.system, nemesis: res.nemesis, seed: res.seed, engine, ops: res.ops, ok: res.ok, fail: res.fail, info: res.info, valid: res.valid, expected: res.expected, unknownReason: res.unknownReason, availability: res.availability, availabilityFailure: res.availabilityFailure, historyPath: res.historyPath, reportPath: res.reportPath }] }) + '\n');
  else process.stdout.write(renderTable([row]));
  // As for any run: 0 when the verdict matches what the system claims.
  return res.matches && res.availabilityFailure === null ? 0 : 1;
}

/** What the run's line adds after its verdict: why it is unknown, and replies the harness could not use. */
function runNotes(res: RunResult): string {
  const notes: string[] = [];
  if (res.unknownReason) notes.push(res.unknownReason);
  if (res.availabilityFailure) notes.push(`availability claim broken: ${res.availabilityFailure}`);
  const u = res.unusableReplies;
  if (u.count > 0) notes.push(`${u.count} ${u.count === 1 ? 'reply' : 'replies'} the harness could not use (recorded as info), e.g. ${u.example}`);
  return notes.length > 0 ? ` — ${notes.join('; ')}` : '';
}

/** `npm run torture` with no system or nemesis chosen: the lecture's whole sequence of designs. */
function planIsDefaultMatrix(args: TortureArgs): boolean {
  return args.systems === undefined && args.bin === undefined && args.nemeses === undefined;
}

/** Where the user typed the command: npm runs scripts from the package root and says where it was called in INIT_CWD. */
function invokedFrom(): string {
  return process.env.INIT_CWD ?? process.cwd();
}

function verdictWord(v: boolean | 'unknown'): string {
  return v === true ? 'valid' : v === false ? 'caught' : 'unknown';
}

/** One line on stderr, rewritten in place on a terminal, every few seconds otherwise (CI logs). */
class ProgressLine {
  private lastPrint = 0;
  private lastOps = 0;
  private lastAt = Date.now();
  private rate = 0;
  private readonly tty = process.stderr.isTTY === true;

  constructor(private readonly label: string) {}

  update(p: Progress): void {
    const now = Date.now();
    if (now - this.lastAt >= 1000) {
      this.rate = ((p.stats.invoked - this.lastOps) * 1000) / (now - this.lastAt);
      this.lastOps = p.stats.invoked;
      this.lastAt = now;
    }
    const line = `${this.label}  ${p.phase}  ${p.elapsedS.toFixed(0)}s  ${this.rate.toFixed(0)} ops/s  ok ${p.stats.ok} fail ${p.stats.fail} info ${p.stats.info}  fault: ${p.activeFaults.length > 0 ? p.activeFaults.join('+') : '-'}`;
    if (this.tty) {
      process.stderr.write(`\r\x1b[2K${line}`);
    } else if (now - this.lastPrint >= 5000) {
      this.lastPrint = now;
      process.stderr.write(line + '\n');
    }
  }

  /** A free-form status after the label (batches of simulated runs). */
  text(status: string): void {
    const now = Date.now();
    if (this.tty) process.stderr.write(`\r\x1b[2K${this.label}  ${status}`);
    else if (now - this.lastPrint >= 5000) {
      this.lastPrint = now;
      process.stderr.write(`${this.label}  ${status}\n`);
    }
  }

  done(summary: string): void {
    process.stderr.write(`${this.tty ? '\r\x1b[2K' : ''}${summary}\n`);
  }
}

/** A path as the table shows it: relative to where the user is, unless that means climbing out (then absolute). */
export function shownPath(path: string | null): string {
  if (path === null) return '';
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? resolve(path) : rel;
}
