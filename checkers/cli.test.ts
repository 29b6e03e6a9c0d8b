// The check command's contract (DESIGN.md): exit codes, --json shapes, folders, usage errors.
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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
    // The write of 7 began after the read completed, so the read alone is the counterexample; raw ns times stay in JSON.
    expect(doc.failures[0].minimal).toMatchObject([{ f: 'read', output: 7, call: 20, return: 30 }]);
    expect(doc.failures[0].explanation).toMatch(/the only write of 7 \(write of 7 by process 2\) began at 0\.000000040 s, after the read had completed at 0\.000000030 s/);
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

  it('with --json, bad input still prints one JSON document naming the file and line', async () => {
    const path = join(tmp, 'bad-json.jsonl');
    writeFileSync(path, '{"index":0,"time":0,"process":0,"type":"invoke","f":"read","value":null}\n{"index":1,"time":1,"process":0,"type":"ok","f":"read"\n');
    expect(await main([path, '--json'])).toBe(3);
    expect(JSON.parse(out)).toEqual({ error: { file: path, line: 2, message: expect.stringMatching(/malformed JSON/) } });
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

  // Mistakes a first user made (QA pass): each one used to crash, pass silently or print a screenful.
  it('a usage error is one line naming the mistake, not the whole usage text', async () => {
    expect(await main(['--timeout', '0', 'x.jsonl'])).toBe(3);
    expect(err).toBe("check: --timeout must be a positive number of seconds, got '0' (see --help)\n");
  });

  it('a single-dash option is an unknown option, not a missing file', async () => {
    expect(await main(['-x', join(examples, 'ok-design-example.jsonl')])).toBe(3);
    expect(err).toBe("check: unknown option '-x' (see --help)\n");
  });

  it('accepts --option=value', async () => {
    expect(await main([join(examples, 'ok-design-example.jsonl'), '--format=jsonl', '--timeout=5'])).toBe(0);
  });

  it.each([
    ['an empty file', '', /empty\.jsonl: the file is empty; nothing to check/],
    ['a file of blank lines', '\n\n\n', /empty\.jsonl: the file is empty; nothing to check/],
    ['a file with only nemesis events', '{"index":0,"time":0,"process":"nemesis","type":"info","f":"start-partition","value":null}\n', /no operations found reading it as jsonl/],
  ])('exits 3 on %s instead of calling it linearizable', async (_what, text, message) => {
    const path = join(tmp, 'empty.jsonl');
    writeFileSync(path, text);
    expect(await main([path])).toBe(3);
    expect(err).toMatch(message);
  });

  it('exits 3 when a forced --format finds no operations (a jsonl history read as a Jepsen log)', async () => {
    expect(await main([join(examples, 'ok-design-example.jsonl'), '--format', 'jepsen'])).toBe(3);
    expect(err).toMatch(/ok-design-example\.jsonl: no operations found reading it as jepsen \(forced by --format\); nothing to check/);
  });

  it('calls a binary file binary instead of echoing its bytes', async () => {
    const path = join(tmp, 'a.out.jsonl');
    writeFileSync(path, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0]));
    expect(await main([path])).toBe(3);
    expect(err).toBe(`check: ${path}: binary file, not a history\n`);
  });

  it('names a broken link in a folder instead of crashing', async () => {
    const dir = mkdtempSync(join(tmp, 'links-'));
    symlinkSync(join(dir, 'nowhere'), join(dir, 'dead.jsonl'));
    expect(await main([dir])).toBe(3);
    expect(err).toBe(`check: ${join(dir, 'dead.jsonl')}: cannot be read (a broken link, or removed while listing)\n`);
  });
});
