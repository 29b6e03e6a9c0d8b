// The check command's contract (DESIGN.md): exit codes, --json shapes, folders, usage errors.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from './cli.ts';
import { repoRoot } from './corpus-path.ts';
import { generateHistory } from './generate.ts';

const examples = join(repoRoot, 'histories', 'examples');
const tmp = mkdtempSync(join(tmpdir(), 'splitbrain-check-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let out = '';
let err = '';
beforeEach(() => {
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
});
afterEach(() => vi.restoreAllMocks());

describe('check CLI', () => {
  it('exits 0 on a linearizable history and prints the verdict', async () => {
    expect(await main([join(examples, 'ok-design-example.jsonl')])).toBe(0);
    expect(out).toMatch(/: linearizable \(3 ops, 1 key/);
  });

  it('exits 1 on a violation and explains it in text', async () => {
    expect(await main([join(examples, 'bad-stale-read.jsonl')])).toBe(1);
    expect(out).toMatch(/NOT linearizable/);
    expect(out).toMatch(/read of key "x" by process 2 returned 1, but 2 was written by process 1/);
    expect(out).toMatch(/minimal non-linearizable sub-history \(3 operation/);
  });

  it('--json with one file prints the DESIGN.md object', async () => {
    expect(await main([join(examples, 'bad-read-from-future.jsonl'), '--json'])).toBe(1);
    const doc = JSON.parse(out);
    expect(Object.keys(doc)).toEqual(expect.arrayContaining(['file', 'valid', 'ops', 'keys', 'elapsedMs', 'failures']));
    expect(doc).toMatchObject({ valid: false, ops: 4, keys: 2 });
    expect(doc.failures[0]).toMatchObject({ key: 'z', stuck: { f: 'read', output: 7 } });
    expect(doc.failures[0].minimal).toHaveLength(2);
  });

  it('--json with a folder prints the worst verdict and one object per file', async () => {
    expect(await main([examples, '--json'])).toBe(1);
    const doc = JSON.parse(out);
    expect(doc.valid).toBe(false);
    expect(doc.files.length).toBeGreaterThanOrEqual(5);
    for (const f of doc.files) expect(f.valid).toBe(!/\/bad-[^/]*$/.test(f.file));
  });

  it('exits 2 (unknown) when the time limit is reached', async () => {
    // One key, heavy concurrency and many observed indeterminate writes: far more than a millisecond of search.
    const { events } = generateHistory({ ops: 3000, keys: 1, clients: 20, seed: 7, infoRate: 0.3 });
    const path = join(tmp, 'hard.jsonl');
    writeFileSync(path, events.map((e) => JSON.stringify(e)).join('\n'));
    expect(await main([path, '--timeout', '0.001', '--json'])).toBe(2);
    expect(JSON.parse(out).valid).toBe('unknown');
  });

  it('exits 3 with file:line on bad input, without a stack trace', async () => {
    const path = join(tmp, 'bad.jsonl');
    writeFileSync(path, '{"index":0,"time":0,"process":0,"type":"invoke","f":"read","value":null}\n{"index":1,"time":1,"process":0,"type":"ok","f":"read"\n');
    expect(await main([path])).toBe(3);
    expect(err).toContain(`${path}:2: malformed JSON`);
    expect(err).not.toMatch(/\n\s+at /);
  });

  it.each([[['--timeout', 'soon', 'x.jsonl']], [['--format', 'csv', 'x.jsonl']], [['--frobnicate']], [[]], [[join(tmp, 'missing.jsonl')]]])(
    'exits 3 on usage errors: %j',
    async (argv) => {
      expect(await main(argv)).toBe(3);
      expect(err).toMatch(/check: /);
    },
  );

  it('--help prints usage and exits 0', async () => {
    expect(await main(['--help'])).toBe(0);
    expect(out).toMatch(/usage: npm run -s check -- PATH/);
  });

  it('--format forces the importer', async () => {
    const path = join(tmp, 'log.txt');
    writeFileSync(path, 'INFO  jepsen.util - 0\t:invoke\t:write\t1\nINFO  jepsen.util - 0\t:ok\t:write\t1\n');
    expect(await main([path, '--format', 'jepsen'])).toBe(0);
    expect(await main([path, '--format', 'edn'])).toBe(3);
  });
});
