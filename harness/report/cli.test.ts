import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { locate, main, metaFromResults } from './cli.ts';

// Permission errors are injected (tests run as root, where chmod cannot cause them; see checkers/fsTestkit.ts).
const denied = vi.hoisted(() => new Set<string>());
vi.mock('node:fs', async (importOriginal) => (await import('../../checkers/fsTestkit.ts')).denyingFs(importOriginal, denied));

const EXAMPLE = new URL('../../histories/examples/bad-failover-split-brain.jsonl', import.meta.url).pathname;

let dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'splitbrain-inspect-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
  denied.clear();
  vi.restoreAllMocks();
});

function capture(): { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  return { out: () => out, err: () => err };
}

describe('inspect CLI', () => {
  it('checks a run folder, reads results.json, writes report.html there and prints its path', async () => {
    const dir = tmp();
    copyFileSync(EXAMPLE, join(dir, 'history.jsonl'));
    writeFileSync(
      join(dir, 'results.json'),
      JSON.stringify({ system: 'failover', claims: 'not-linearizable', nemesis: 'partition+kill', seed: 7, expected: false, command: 'npm run -s torture -- --system failover --seed 7', options: { concurrency: 3 }, timings: { checkMs: 12.3 } }),
    );
    const io = capture();
    const code = await main([dir]);
    expect(code).toBe(1);
    expect(io.out().trim()).toBe(join(dir, 'report.html'));
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('npm run -s torture -- --system failover --seed 7');
    expect(html).toContain('partition, kill');
    expect(html).toContain('known to be broken');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
  });

  it('--json prints one document', async () => {
    const dir = tmp();
    const io = capture();
    expect(await main([EXAMPLE, '--json', '--out', join(dir, 'r.html')])).toBe(1);
    expect(JSON.parse(io.out())).toMatchObject({ report: join(dir, 'r.html'), valid: false, ops: 16, keys: 2 });
  });

  it('names the file and line of a bad history, exit 3, no stack trace', async () => {
    const dir = tmp();
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"index":0,"time":0,"process":0,"type":"invoke","f":"read","value":null}\nnot json\n');
    const io = capture();
    expect(await main([bad])).toBe(3);
    expect(io.err()).toMatch(new RegExp(`${bad}:2`));
    expect(io.err()).not.toMatch(/\n\s+at /);
  });

  it('usage mistakes exit 3 with the usage; --help exits 0', async () => {
    const io = capture();
    expect(await main([])).toBe(3);
    expect(await main(['--bogus'])).toBe(3);
    expect(await main(['/no/such/path'])).toBe(3);
    expect(io.err()).toMatch(/no such file or folder/);
    expect(await main(['--help'])).toBe(0);
    expect(io.out()).toMatch(/usage: npm run -s inspect/);
  });

  it('puts a bare history file’s report beside it', () => {
    expect(locate(EXAMPLE).reportPath).toBe(EXAMPLE.replace(/\.jsonl$/, '.report.html'));
  });

  it('reads results.json leniently', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'results.json'), '{"system": {"name": "x"}, "nemeses": ["partition"], "expected": true}');
    expect(metaFromResults(join(dir, 'results.json')).meta).toMatchObject({ system: 'x', nemeses: ['partition'], expected: 'linearizable' });
    writeFileSync(join(dir, 'results.json'), '{"system": ');
    expect(metaFromResults(join(dir, 'results.json')).warning).toMatch(/not readable as JSON/);
  });

  // Found by a first user (QA pass).
  it('a usage mistake prints one line, not the whole usage text', async () => {
    const io = capture();
    expect(await main(['--bogus'])).toBe(3);
    expect(io.err()).toBe("inspect: unknown option '--bogus' (see --help)\n");
  });

  it('a folder of run folders names the newest run to inspect', async () => {
    const runs = tmp();
    for (const run of ['2026-01-01T00-00-00-000Z-naive-kill', '2026-01-02T00-00-00-000Z-naive-kill']) {
      mkdirSync(join(runs, run));
      copyFileSync(EXAMPLE, join(runs, run, 'history.jsonl'));
    }
    const io = capture();
    expect(await main([runs])).toBe(3);
    expect(io.err()).toBe(`inspect: ${runs}: no history.jsonl in this folder (it holds 2 run folders; name one, e.g. ${join(runs, '2026-01-02T00-00-00-000Z-naive-kill')})\n`);
  });

  it('--out naming a folder is a one-line error, not a crash', async () => {
    const dir = tmp();
    const io = capture();
    expect(await main([EXAMPLE, '--out', dir])).toBe(3);
    expect(io.err()).toBe(`inspect: cannot write the report to ${dir} (that is a folder; name a file)\n`);
  });

  it('an empty history is bad input, not a linearizable report', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'history.jsonl'), '');
    const io = capture();
    expect(await main([dir])).toBe(3);
    expect(io.err()).toMatch(/history\.jsonl: the file is empty; nothing to check/);
  });

  it('a Jepsen log (no clock) is explained and drawn by line numbers, with no latency or rate charts', async () => {
    const dir = tmp();
    const log = join(dir, 'stale.log');
    const line = (p: number, type: string, f: string, v: string) => `INFO  jepsen.util - ${p}\t:${type}\t:${f}\t${v}`;
    writeFileSync(log, [line(0, 'invoke', 'write', '1'), line(0, 'ok', 'write', '1'), line(0, 'invoke', 'write', '2'), line(0, 'ok', 'write', '2'), line(1, 'invoke', 'read', 'nil'), line(1, 'ok', 'read', '1')].join('\n'));
    capture();
    expect(await main([log, '--out', join(dir, 'r.html')])).toBe(1);
    const html = readFileSync(join(dir, 'r.html'), 'utf8');
    expect(html).toContain('acknowledged at line 4');
    expect(html).not.toMatch(/acknowledged at 0\.0000/);
    expect(html).toContain('this format records no clock');
    expect(html).toContain('invoked at line 5, done at line 6');
    expect(html).not.toContain('id="latency"');
  });

  // The probe of issue 13: these crashed inspect with a stack trace.
  it.each([
    ['a client value', `{"index":0,"time":0,"process":0,"type":"invoke","f":"write","key":"x","value":${'['.repeat(5000)}${']'.repeat(5000)}}`, /history\.jsonl:1: "value" must be a number, string or null, got \[+…\]+$/],
    ['a nemesis value', `{"index":0,"time":0,"process":"nemesis","type":"info","f":"start-partition","value":${'['.repeat(5000)}${']'.repeat(5000)}}`, /history\.jsonl:1: a nemesis "value" may nest at most 32 levels deep$/],
  ])('%s nested 5,000 levels deep is bad input (exit 3), not a RangeError', async (_what, text, message) => {
    const dir = tmp();
    writeFileSync(join(dir, 'history.jsonl'), `${text}\n`);
    const io = capture();
    expect(await main([dir])).toBe(3);
    expect(io.err().trim()).toMatch(message);
  });

  it('a FIFO is bad input at once, not a hang', async () => {
    const dir = tmp();
    execFileSync('mkfifo', [join(dir, 'history.jsonl')]);
    const io = capture();
    expect(await main([dir])).toBe(3);
    expect(io.err()).toBe(`inspect: ${join(dir, 'history.jsonl')}: a FIFO (named pipe), not a history file\n`);
  });

  it('a folder it may not list is bad input, not an EACCES crash', async () => {
    const dir = tmp();
    denied.add(dir);
    const io = capture();
    expect(await main([dir])).toBe(3);
    expect(io.err()).toBe(`inspect: ${dir}: cannot list folder: permission denied (EACCES)\n`);
  });
});
