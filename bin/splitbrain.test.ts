// The CLI entry, run as users run it: through npm, from their own folder.
// npm runs scripts from the package root; relative paths must still be the
// caller's (issue 13: `cd histories/examples && npm run -s check -- FILE`
// said "no such file").
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../checkers/corpus-path.ts';

const run = promisify(execFile);
const examples = join(repoRoot, 'histories', 'examples');
const tmp = mkdtempSync(join(tmpdir(), 'splitbrain-cwd-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** `npm run -s SCRIPT -- ARGS` typed in `cwd`; outside the package, `--prefix` names it, as a user's script would. */
async function npmRun(cwd: string, script: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const prefix = cwd.startsWith(repoRoot) ? [] : ['--prefix', repoRoot];
  try {
    const { stdout, stderr } = await run('npm', [...prefix, 'run', '-s', script, '--', ...args], { cwd, env: { ...process.env, INIT_CWD: undefined, npm_lifecycle_event: undefined } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

// Each case starts npm and tsx (seconds on a busy machine); no protocol timeout races them.
describe('relative paths are the caller’s', { timeout: 120_000 }, () => {
  it('check, from a subfolder of the repository', async () => {
    const r = await npmRun(examples, 'check', ['ok-design-example.jsonl']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`ok-design-example.jsonl: linearizable (3 ops, 1 key(s), ${/[\d.]+ ms/.exec(r.stdout)?.[0]})\n`);
    expect(r.code).toBe(0);
  });

  it('inspect, from a folder outside it: reads the history and writes the report there', async () => {
    copyFileSync(join(examples, 'bad-stale-read.jsonl'), join(tmp, 'stale.jsonl'));
    const r = await npmRun(tmp, 'inspect', ['stale.jsonl']);
    expect(r.code).toBe(1);
    expect(r.stdout.trim()).toBe(join(tmp, 'stale.report.html'));
    expect(existsSync(join(tmp, 'stale.report.html'))).toBe(true);
  });

  it('torture --system, from a folder outside it: finds the definition there', async () => {
    // A definition with a mistake: the error proves which file was read, without starting a run.
    writeFileSync(join(tmp, 'mine.json'), JSON.stringify({ name: '' }));
    const r = await npmRun(tmp, 'torture', ['--system', 'mine.json']);
    expect(r.stderr).toContain(`${join(tmp, 'mine.json')}: "name" must be a non-empty string`);
    expect(r.code).toBe(2);
  });

  it('a command started directly keeps its own folder, whatever INIT_CWD it inherited (a test under `npm test`)', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', join(repoRoot, 'bin', 'splitbrain.ts'), 'check', join('histories', 'examples', 'ok-design-example.jsonl')], {
      cwd: repoRoot,
      env: { ...process.env, INIT_CWD: tmp, npm_lifecycle_event: 'test' },
    });
    expect(stdout).toMatch(/ok-design-example\.jsonl: linearizable/);
  });
});
