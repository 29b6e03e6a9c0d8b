// The torture command end to end, as a user runs it (a child process), on the
// example store: usage errors, verdicts, --json, files, exit codes.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { parseHistoryFile } from '../../checkers/index.ts';
import { parseArgs, shownPath, UsageError } from './cli.ts';
import { processesWith, splitbrain, torture } from './testkit.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const testdata = 'harness/torture/testdata';


describe('torture: paths in the table', () => {
  it('are relative to the working folder inside it, and absolute outside it (no ../../tmp/...)', () => {
    expect(shownPath(join(process.cwd(), 'histories', 'runs', 'r1', 'history.jsonl'))).toBe(join('histories', 'runs', 'r1', 'history.jsonl'));
    expect(shownPath('/tmp/out/r1/history.jsonl')).toBe('/tmp/out/r1/history.jsonl');
  });
});

describe('torture: usage', () => {
  it('--help lists every flag of the design and exits 0', async () => {
    const { code, stdout } = await torture(['--help']);
    expect(code).toBe(0);
    for (const flag of ['--system', '--nemesis', '--time-limit', '--concurrency', '--keys', '--rate', '--seed', '--runs', '--quick', '--json', '--out', '--toxiproxy']) {
      expect(stdout).toContain(flag);
    }
    for (const nemesis of ['partition', 'isolate-primary', 'primary-viewserver', 'bridge', 'latency', 'kill', 'pause']) expect(stdout).toContain(nemesis);
  });

  it('a client module that is no driver is one line naming the file and field, exit 2, before anything starts', async () => {
    const { code, stderr } = await torture(['--system', `${testdata}/notADriver.json`, '--nemesis', 'none']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^torture: .*notADriver\.json: "client": client driver .*notADriver\.mjs exports no driver/m);
    expect(stderr).not.toMatch(/\[1\/1\]/);
  });

  it('parses flags, with = or a separate value', () => {
    const a = parseArgs(['--system', 'naive,failover', '--nemesis=partition:reset+kill,none', '--seed', '42', '--rate=12.5', '--quick', '--json']);
    expect(a).toMatchObject({ systems: ['naive', 'failover'], nemeses: ['partition:reset+kill', 'none'], seed: 42, rate: 12.5, quick: true, json: true, runs: 1 });
    expect(() => parseArgs(['--keys', '0'])).toThrow(UsageError);
    expect(() => parseArgs(['--seed', '-1'])).toThrow(/--seed needs an integer/);
    expect(() => parseArgs(['--time-limit'])).toThrow(/--time-limit needs a value/);
  });

  it.each([
    [['--bogus'], /unknown option "--bogus"/],
    [['--rate', 'fast'], /--rate needs a positive number, got "fast"/],
    [['--system', 'no/such/system.json'], /no\/such\/system\.json: no such file, and not a built-in system/],
    [['--system', `${testdata}/unavailable.json`, '--nemesis', 'earthquake'], /unknown nemesis "earthquake"/],
    [['--system', 'examples/kvstore/system.json', '--nemesis', 'primary-viewserver'], /cannot run against kvstore: no node has role "viewserver"/],
    [['--system', 'examples/kvstore/system.json', '--nemesis', 'kill:reset'], /kill is not a partition/],
  ])('%j is a usage error: exit 2, a clear message, no stack trace', async (args, message) => {
    const { code, stderr } = await torture(args as string[]);
    expect(code).toBe(2);
    expect(stderr).toMatch(message as RegExp);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});

describe('torture: runs', () => {
  // One short run per test: two runs in one test were 24 s of fixed wall-clock time
  // inside its 30 s budget, which a busy machine's process starts and checks overran.
  it('a one-node store, paused, is valid and unavailable during the pause; the gate fails it only where it claims otherwise', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sb-cli-'));
    const args = ['--nemesis', 'pause', '--time-limit', '9', '--seed', '3', '--json', '--out', out];
    const honest = await torture(['--system', `${testdata}/oneNode.json`, ...args]);
    const [run] = JSON.parse(honest.stdout).runs;
    expect(run).toMatchObject({ valid: true, availabilityFailure: null });
    expect(run.availability.duringFaults).toBe(0);
    expect(run.availability.windows[0]).toMatchObject({ faults: 'pause', ok: 0 });
    expect(honest.code).toBe(0);
    const claims = await torture(['--system', `${testdata}/oneNodeClaimsPause.json`, ...args]);
    const [claimed] = JSON.parse(claims.stdout).runs;
    expect(claimed.valid).toBe(true);
    expect(claimed.availabilityFailure).toMatch(/^nothing succeeded for \d+\.\d s after the pause fault at [\d.]+-[\d.]+ s started \(claimed: within 2 s\)$/);
    expect(claims.stderr).toMatch(/claims to stay available, but nothing succeeded/);
    expect(claims.code).toBe(1);
  }, 60_000);

  it('passes the correct store and prints exactly the --json document', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sb-cli-'));
    const { code, stdout, stderr } = await torture(['--system', 'examples/kvstore/system.json', '--nemesis', 'none', '--time-limit', '3', '--seed', '5', '--json', '--out', out]);
    expect(stderr).toContain('seed 5');
    const doc = JSON.parse(stdout);
    expect(Object.keys(doc)).toEqual(['pass', 'runs']);
    expect(doc.runs).toHaveLength(1);
    const [run] = doc.runs;
    expect(Object.keys(run)).toEqual(['system', 'nemesis', 'seed', 'ops', 'ok', 'fail', 'info', 'valid', 'expected', 'unknownReason', 'error', 'availability', 'availabilityFailure', 'historyPath', 'reportPath']);
    expect(run).toMatchObject({ system: 'kvstore', valid: true, expected: true, unknownReason: null, error: null, availabilityFailure: null });
    // No faults: no fault windows, and the quiet time was served.
    expect(run.availability).toMatchObject({ duringFaults: null, windows: [] });
    expect(run.availability.quiet).toBeGreaterThan(0.9);
    expect(existsSync(run.historyPath)).toBe(true);
    expect(existsSync(run.reportPath)).toBe(true);
    const results = JSON.parse(readFileSync(join(dirname(run.historyPath), 'results.json'), 'utf8'));
    expect(results).toMatchObject({ system: run.system, seed: 5, ok: run.ok, valid: run.valid, unusableReplies: { count: 0, example: null } });
    expect(results.command).toContain('--seed 5');
    expect(doc.pass).toBe(true);
    expect(code).toBe(0);
  });

  it('catches the stale-reads store', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sb-cli-'));
    const { code, stdout } = await torture(['--system', 'examples/kvstore/system-stale-reads.json', '--nemesis', 'isolate-primary', '--time-limit', '10', '--seed', '5', '--json', '--out', out]);
    const doc = JSON.parse(stdout);
    expect(doc.runs[0]).toMatchObject({ system: 'kvstore-stale-reads', valid: false, expected: false, unknownReason: null });
    expect(doc.pass).toBe(true);
    expect(code).toBe(0);
  });

  it('a run in which nothing succeeds is unknown, not a pass, and fails the gate', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sb-cli-'));
    const { code, stdout } = await torture(['--system', `${testdata}/unavailable.json`, '--nemesis', 'none', '--time-limit', '2', '--seed', '1', '--out', out]);
    expect(stdout).toMatch(/unavailable\s+none\s+1\s+\d+\s+0\/\d+\/0\s+unknown\s+valid\s+MISMATCH/);
    expect(stdout).toContain('FAIL');
    expect(code).toBe(1);
  });

  // Issue 13, items 2 and 13: this store passed the gate with 184 ok reads and no write,
  // and --json gave no reason for an unknown run.
  it('a store that refuses every write and answers reads "not found" is unknown, with the reason in --json', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sb-cli-'));
    const { code, stdout, stderr } = await torture(['--system', `${testdata}/refusesWrites.json`, '--nemesis', 'none', '--time-limit', '2', '--seed', '1', '--json', '--out', out]);
    const [run] = JSON.parse(stdout).runs;
    expect(run.ok).toBeGreaterThan(20);
    expect(run).toMatchObject({ valid: 'unknown', unknownReason: expect.stringMatching(/only 0 writes or cas succeeded/), error: null });
    expect(stderr).toMatch(/refuses-writes × none: unknown .* — only 0 writes or cas succeeded/);
    expect(code).toBe(1);
  });

  // Issue 13, item 5: an object as a read's value made torture say "caught", and `check`
  // then refused (exit 3) the history torture had written.
  it('replies the checker could not use are recorded as info, counted, and named; the history checks', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sb-cli-'));
    const { stdout, stderr } = await torture(['--system', `${testdata}/objectReads.json`, '--nemesis', 'none', '--time-limit', '2', '--seed', '1', '--json', '--out', out]);
    const [run] = JSON.parse(stdout).runs;
    expect(run.valid).not.toBe(false);
    const results = JSON.parse(readFileSync(join(dirname(run.historyPath), 'results.json'), 'utf8'));
    expect(results.unusableReplies.count).toBeGreaterThan(0);
    expect(results.unusableReplies.example).toMatch(/^read_ok with value {"nested":\["k\d"\]}, not a number, string or null$/);
    expect(stderr).toMatch(/object-reads × none: .* \d+ replies the harness could not use \(recorded as info\), e\.g\. read_ok with value \{"nested":\["k\d"\]\}/);
    const check = await splitbrain(['check', run.historyPath]);
    expect(check.stderr).toBe('');
    expect(check.code).toBe(0);
  });

  it('a node that dies at start is reported with its output, and fails the gate; --json has the error', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sb-cli-'));
    const { code, stdout, stderr } = await torture(['--system', `${testdata}/crashes.json`, '--nemesis', 'none', '--time-limit', '2', '--json', '--out', out]);
    expect(stderr).toMatch(/node n1 exited \(code 3\) before accepting connections/);
    expect(stderr).toContain('boom: cannot open the database');
    const [run] = JSON.parse(stdout).runs;
    expect(run).toMatchObject({ valid: 'unknown', error: expect.stringMatching(/node n1 exited \(code 3\)/), unknownReason: expect.stringMatching(/^the run did not complete: node n1 exited/) });
    expect(code).toBe(1);
  });

  it('Ctrl-C mid-run stops every node, exits 130 and names the partial history', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sb-cli-'));
    const marker = randomUUID();
    let nodesSeen: number[] = [];
    const { code, stderr } = await torture(['--system', 'examples/kvstore/system.json', '--nemesis', 'isolate', '--time-limit', '60', '--out', out], {
      env: { SB_TEST_MARKER: marker },
      whileRunning: (pid) => {
        void runUnderWay(marker, out)
          .then((nodes) => (nodesSeen = nodes))
          .then(() => process.kill(pid, 'SIGINT'));
      },
    });
    expect(nodesSeen).toHaveLength(3);
    expect(code).toBe(130);
    expect(stderr).toMatch(/SIGINT: run stopped; the history so far is in .*history\.jsonl/);
    await expect.poll(() => processesWith(marker), { timeout: 5000 }).toEqual([]);
  });
});

describe('torture: started by npm, stopped from outside', () => {
  afterEach(() => {
    // A failed test must not leave a 60 s run behind.
    for (const pid of started.splice(0)) for (const p of processesWith(pid)) kill(p, 'SIGKILL');
  });

  // Issue 13, item 8: tsx's CLI, then between npm and the harness, re-sent SIGINT when the
  // harness confirmed it late (a busy machine) and SIGKILLed it after 60 ms, so one Ctrl-C
  // took the "second Ctrl-C, stop now" path and never said where the history is.
  it('one Ctrl-C at the terminal (SIGINT to the whole foreground group) stops gracefully and names the history', async () => {
    const run = npmTorture();
    const nodes = await runUnderWay(run.marker, run.out);
    expect(nodes).toHaveLength(3);
    // Nothing between npm's shell and the harness relays signals: one process runs it.
    expect(processesWith(run.marker).filter((pid) => runsHarness(pid))).toHaveLength(1);
    process.kill(-run.child.pid!, 'SIGINT');
    await run.closed;
    expect(run.stderr()).toMatch(/splitbrain: SIGINT: stopping every process it started/);
    expect(run.stderr()).not.toMatch(/again: killing/);
    expect(run.stderr()).toMatch(/SIGINT: run stopped; the history so far is in .*history\.jsonl/);
    await expect.poll(() => processesWith(run.marker), { timeout: 5000 }).toEqual([]);
  });

  // Issue 13, item 7: npm exited 143 and the harness, its nodes and the watchdog ran on.
  it('SIGTERM to npm alone (what supervisors and child.kill() send) stops the run and every process it started', async () => {
    const run = npmTorture();
    expect(await runUnderWay(run.marker, run.out)).toHaveLength(3);
    run.child.kill('SIGTERM');
    await run.closed;
    expect(run.stderr()).toMatch(/the process that started it \(.*\) is gone/);
    expect(run.stderr()).toMatch(/run stopped; the history so far is in .*history\.jsonl/);
    await expect.poll(() => processesWith(run.marker), { timeout: 5000 }).toEqual([]);
  });
});

describe('torture: a full disk', () => {
  // Issue 13, item 6: on a 40 KB tmpfs the run crashed (exit 70, a stack trace from
  // HistoryRecorder.append) and left a torn last line. The tmpfs lives in a private
  // mount namespace, so nothing outlives the test; without the right to mount, it skips.
  it('ends the run with one clear line and exit 1, and the history keeps whole lines', async (ctx) => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-full-'));
    const [mnt, copy] = [join(dir, 'mnt'), join(dir, 'copy')];
    mkdirSync(mnt);
    mkdirSync(copy);
    const probe = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs -o size=40k tmpfs "$0" && umount "$0"', mnt], { stdio: 'ignore' });
    if (probe.status !== 0) {
      console.warn('\n*** full-disk test SKIPPED: cannot mount a tmpfs in a private mount namespace (needs root and unshare) ***\n');
      ctx.skip('cannot mount a tmpfs here');
    }
    const script = 'mount -t tmpfs -o size=40k tmpfs "$0" || exit 97; "$@"; rc=$?; cp -r "$0"/. "$COPY"/; exit $rc';
    const args = ['torture', '--system', 'examples/kvstore/system.json', '--nemesis', 'none', '--time-limit', '120', '--rate', '200', '--seed', '3', '--out', mnt];
    const { code, stdout, stderr } = await splitbrain(args, { env: { COPY: copy }, wrap: ['unshare', '-m', '--propagation', 'private', 'sh', '-c', script, mnt] });
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stderr).toMatch(/kvstore × none: stopped: cannot write .*history\.jsonl: no space left on device \(ENOSPC\); it keeps the first \d+ events as whole lines/);
    expect(stdout).toMatch(/error\s+valid\s+MISMATCH/);
    expect(code).toBe(1);
    const [runDir] = readdirSync(copy);
    const history = join(copy, runDir, 'history.jsonl');
    expect(readFileSync(history, 'utf8').endsWith('\n')).toBe(true);
    expect(parseHistoryFile(history).length).toBeGreaterThan(50);
    expect(existsSync(join(copy, runDir, 'report.html'))).toBe(false);
  });
});

const started: string[] = [];

/** `npm run -s torture` as a user starts it in a terminal: its own process group (the foreground job). */
function npmTorture() {
  const marker = randomUUID();
  started.push(marker);
  const out = mkdtempSync(join(tmpdir(), 'sb-npm-'));
  const child = spawn('npm', ['run', '-s', 'torture', '--', '--system', 'examples/kvstore/system.json', '--nemesis', 'isolate', '--time-limit', '60', '--out', out], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, SB_TEST_MARKER: marker },
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  // 'close': every process holding the pipe (npm, its shell, the harness) is gone.
  const closed = new Promise<void>((r) => child.on('close', () => r()));
  return { child, marker, out, closed, stderr: () => stderr };
}

/** Waits until the run's three nodes are up and its history has operations in it; returns the nodes' pids. */
async function runUnderWay(marker: string, out: string): Promise<number[]> {
  // Count the three nodes by their command line: the harness's other children (its
  // watchdog, and tsx's esbuild service when its cache is cold) come and go.
  let nodes: number[] = [];
  await expect.poll(() => (nodes = processesWith(marker, 'server.js')).length, { timeout: 20_000, interval: 200 }).toBe(3);
  await expect.poll(() => historyLines(out), { timeout: 20_000, interval: 100 }).toBeGreaterThan(20);
  return nodes;
}

function historyLines(out: string): number {
  const dir = readdirSync(out).find((d) => existsSync(join(out, d, 'history.jsonl')));
  return dir === undefined ? 0 : readFileSync(join(out, dir, 'history.jsonl'), 'utf8').split('\n').length - 1;
}

/** A node process whose arguments include the harness's entry point (not a shell whose -c string mentions it). */
function runsHarness(pid: number): boolean {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return /(^|\/)node$/.test(argv[0]) && argv.includes('bin/splitbrain.ts');
  } catch {
    return false;
  }
}

function kill(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* gone already */
  }
}

