import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { locate, main, metaFromResults } from './cli.ts';

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
});
