// The Maelstrom examples through the real torture path, short runs: the
// command a Maelstrom user types (`--bin ... --node-count 3`) passes the
// correct node under partitions and kills and catches the broken ones; a
// Ctrl-C leaves no node behind. The nodes share nothing with splitbrain.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { binSystem } from '../../harness/system/binSystem.ts';
import { parseArgs } from '../../harness/torture/cli.ts';
import { defaultWorkload } from '../../harness/torture/matrix.ts';
import { runOnce } from '../../harness/torture/run.ts';
import { processesWith, torture } from '../../harness/torture/testkit.ts';

const here = dirname(fileURLToPath(import.meta.url));
/** A short run is seconds of workload, but starting tsx and the nodes on a busy machine is not bounded by it. */
const RUN_TIMEOUT_MS = 120_000;

describe('examples/maelstrom', () => {
  it('imports nothing but Node.js built-ins and each other', () => {
    for (const file of ['node.js', 'linKvProxy.js', 'gossipKv.js']) {
      const source = readFileSync(join(here, file), 'utf8');
      const imports = [...source.matchAll(/import\s[^'"]*['"]([^'"]+)['"]/g)].map((m) => m[1]);
      expect(imports.filter((s) => !s.startsWith('node:') && !s.startsWith('./'))).toEqual([]);
    }
  });

  it('the lin-kv proxy passes partitions and kills, run as Maelstrom would name it; the history keeps integer keys', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sb-maelstrom-'));
    const { code, stdout, stderr } = await torture([
      '--bin', 'node examples/maelstrom/linKvProxy.js', '--node-count', '3',
      '--nemesis', 'partition+kill', '--time-limit', '8', '--seed', '7', '--json', '--out', out,
    ]);
    const doc = JSON.parse(stdout);
    expect(doc.runs, stderr).toHaveLength(1);
    expect(doc.runs[0]).toMatchObject({ system: 'linKvProxy', nemesis: 'partition+kill', valid: true, expected: true });
    expect(doc.pass).toBe(true);
    expect(code).toBe(0);
    const runDir = dirname(doc.runs[0].historyPath);
    const results = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8'));
    expect(results.bin).toEqual({ command: 'node examples/maelstrom/linKvProxy.js', nodeCount: 3 });
    expect(results.command).toContain("--bin 'node examples/maelstrom/linKvProxy.js' --node-count 3 --claims linearizable");
    expect(results.maelstrom.services['lin-kv']).toBeGreaterThan(0);
    expect(Object.values(results.maelstrom.nodes).every((n) => (n as { malformed: number }).malformed === 0)).toBe(true);
    const events = readFileSync(doc.runs[0].historyPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const keys = new Set(events.filter((e) => e.process !== 'nemesis').map((e) => e.key));
    expect([...keys].every((k) => Number.isInteger(k))).toBe(true);
    // The killed node was sent init again when it came back.
    const inits = readdirSync(join(runDir, 'nodes')).map((f) => readFileSync(join(runDir, 'nodes', f), 'utf8').match(/^init: /gm)?.length ?? 0);
    expect(inits.reduce((a, b) => a + b, 0)).toBeGreaterThan(3);
    expect(existsSync(doc.runs[0].reportPath)).toBe(true);
  }, RUN_TIMEOUT_MS);

  it('the gossiping node is caught, and --claims not-linearizable makes that a pass; the program is found from where npm was run', async () => {
    // No fault needed: a read through one node misses a write another acknowledged a moment ago.
    const out = mkdtempSync(join(tmpdir(), 'sb-maelstrom-'));
    const { code, stdout } = await torture(
      ['--bin', 'node gossipKv.js', '--node-count', '3', '--claims', 'not-linearizable', '--nemesis', 'none', '--time-limit', '3', '--seed', '7', '--json', '--out', out],
      // As `cd examples/maelstrom && npm run -s torture -- --bin "node gossipKv.js"`: npm runs the script from the package root.
      { env: { INIT_CWD: here } },
    );
    expect(JSON.parse(stdout)).toMatchObject({ pass: true, runs: [{ system: 'gossipKv', valid: false, expected: false }] });
    expect(code).toBe(0);
  }, RUN_TIMEOUT_MS);

  it('the same proxy over seq-kv is caught: the service is only sequentially consistent', async () => {
    const system = binSystem({ command: 'node linKvProxy.js seq-kv', nodeCount: 3, claims: 'not-linearizable', cwd: here });
    const res = await runOnce({
      system, nemesis: 'none', seed: 7, ...defaultWorkload, timeLimitS: 3, recoveryMs: 500,
      runDir: mkdtempSync(join(tmpdir(), 'sb-maelstrom-')), command: 'examples/maelstrom/maelstrom.test.ts',
    });
    expect(res).toMatchObject({ valid: false, matches: true });
  }, RUN_TIMEOUT_MS);

  it('usage: --bin names the system instead of --system; --node-count and --claims go with it', async () => {
    expect(parseArgs(['--bin', 'python3 my_node.py', '--node-count', '3', '--claims', 'not-linearizable'])).toMatchObject({ bin: 'python3 my_node.py', nodeCount: 3, claims: 'not-linearizable' });
    expect(() => parseArgs(['--bin', 'x', '--system', 'naive'])).toThrow(/--bin and --system both name the system under test/);
    expect(() => parseArgs(['--node-count', '3'])).toThrow(/--node-count goes with --bin/);
    expect(() => parseArgs(['--bin', 'x', '--claims', 'mostly'])).toThrow(/--claims must be linearizable or not-linearizable, got "mostly"/);
    // As the user sees it: one line, exit 2, no stack trace.
    const { code, stderr } = await torture(['--bin', 'x "y']);
    expect(stderr).toMatch(/^torture: --bin: unterminated " in "x \\"y"$/m);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(code).toBe(2);
  });

  it('Ctrl-C mid-run stops every node and exits 130', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sb-maelstrom-'));
    const marker = randomUUID();
    let nodesSeen: number[] = [];
    const { code } = await torture(['--bin', 'node examples/maelstrom/linKvProxy.js', '--node-count', '3', '--nemesis', 'none', '--time-limit', '120', '--out', out], {
      env: { SB_TEST_MARKER: marker },
      whileRunning: (pid) => {
        // Interrupt once every node answered init and clients are at work: the history has operations.
        const working = () => readdirSync(out).some((d) => existsSync(join(out, d, 'history.jsonl')) && readFileSync(join(out, d, 'history.jsonl'), 'utf8').includes('"ok"'));
        void expect
          // The nodes' argv is node\0examples/...; the harness's own has "--bin\0node examples/..." (a space).
          .poll(() => working() && (nodesSeen = processesWith(marker, '\0examples/maelstrom/linKvProxy.js')).length, { timeout: 25_000, interval: 100 })
          .toBe(3)
          .then(() => process.kill(pid, 'SIGINT'));
      },
    });
    expect(nodesSeen).toHaveLength(3);
    expect(code).toBe(130);
    await expect.poll(() => processesWith(marker), { timeout: 5000 }).toEqual([]);
  }, RUN_TIMEOUT_MS);
});
