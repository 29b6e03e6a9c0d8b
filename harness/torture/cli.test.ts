// The torture command end to end, as a user runs it (a child process), on the
// example store: usage errors, verdicts, --json, files, exit codes.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseArgs, shownPath, UsageError } from './cli.ts';
import { processesWith, torture } from './testkit.ts';

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
  it('catches the stale-reads store, passes the correct one, and prints exactly the --json document', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sb-cli-'));
    const { code, stdout, stderr } = await torture([
      '--system', 'examples/kvstore/system.json,examples/kvstore/system-stale-reads.json',
      '--nemesis', 'isolate-primary', '--time-limit', '10', '--seed', '5', '--json', '--out', out,
    ]);
    expect(stderr).toContain('seed 5');
    const doc = JSON.parse(stdout);
    expect(Object.keys(doc)).toEqual(['pass', 'runs']);
    expect(doc.runs).toHaveLength(2);
    for (const run of doc.runs) {
      expect(Object.keys(run)).toEqual(['system', 'nemesis', 'seed', 'ops', 'ok', 'fail', 'info', 'valid', 'expected', 'historyPath', 'reportPath']);
      expect(existsSync(run.historyPath)).toBe(true);
      expect(existsSync(run.reportPath)).toBe(true);
      const results = JSON.parse(readFileSync(join(dirname(run.historyPath), 'results.json'), 'utf8'));
      expect(results).toMatchObject({ system: run.system, seed: 5, ok: run.ok, valid: run.valid });
      expect(results.command).toContain('--seed 5');
    }
    const [good, stale] = doc.runs;
    expect(good).toMatchObject({ system: 'kvstore', valid: true, expected: true });
    expect(stale).toMatchObject({ system: 'kvstore-stale-reads', valid: false, expected: false });
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

  it('a node that dies at start is reported with its output, and fails the gate', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sb-cli-'));
    const { code, stderr } = await torture(['--system', `${testdata}/crashes.json`, '--nemesis', 'none', '--time-limit', '2', '--out', out]);
    expect(stderr).toMatch(/node n1 exited \(code 3\) before accepting connections/);
    expect(stderr).toContain('boom: cannot open the database');
    expect(code).toBe(1);
  });

  it('Ctrl-C mid-run stops every node, exits 130 and names the partial history', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sb-cli-'));
    const marker = randomUUID();
    let nodesSeen: number[] = [];
    const { code, stderr } = await torture(['--system', 'examples/kvstore/system.json', '--nemesis', 'isolate', '--time-limit', '60', '--out', out], {
      env: { SB_TEST_MARKER: marker },
      whileRunning: (pid) => {
        // Count the three nodes by their command line: the harness's other
        // children (its watchdog, and tsx's esbuild service when its cache is
        // cold) come and go, and the last check below covers them all.
        void expect
          .poll(() => (nodesSeen = processesWith(marker, 'server.js')).length, { timeout: 20_000, interval: 200 })
          .toBe(3)
          .then(() => new Promise((r) => setTimeout(r, 1000)))
          .then(() => process.kill(pid, 'SIGINT'));
      },
    });
    expect(nodesSeen).toHaveLength(3);
    expect(code).toBe(130);
    expect(stderr).toMatch(/SIGINT: run stopped; the history so far is in .*history\.jsonl/);
    await expect.poll(() => processesWith(marker), { timeout: 5000 }).toEqual([]);
  });
});
