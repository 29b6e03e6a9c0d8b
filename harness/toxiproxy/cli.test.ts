// The standalone server as `npm run proxy` runs it (node --import tsx
// bin/splitbrain.ts proxy, no launcher in between): starts, serves, and on
// SIGINT/SIGTERM closes everything and exits 0, with no process left holding
// its ports.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { Toxiproxy } from 'toxiproxy-node-client';
import { connect, portOf, roundTrip, tcpServer } from './testkit.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

function run(args: string[]) {
  // Its own process group, so a test can signal the group as Ctrl-C would. Started as the npm script
  // starts it: under tsx's CLI, a launcher that re-sends SIGINT when the child is slow to exit, a busy
  // machine turned one Ctrl-C into two a second apart, which the proxy takes for "stop now" (exit 130).
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/splitbrain.ts', 'proxy', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

async function listening(p: ReturnType<typeof run>): Promise<string> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const m = /toxiproxy listening on (http:\/\/\S+)/.exec(p.out());
    if (m) return m[1]!;
    if (Date.now() > deadline || p.child.exitCode !== null) throw new Error(`no listening line; stderr: ${p.err()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function kill(child: ChildProcess) {
  if (child.exitCode === null && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
}

/** Pids of the process group led by `pid` (node, and any helper tsx starts, such as esbuild's service). */
function group(pid: number): number[] {
  const out = execFileSync('ps', ['-o', 'pid=', '-g', String(pid)]).toString();
  return out.split('\n').map((l) => Number(l.trim())).filter((n) => n > 0);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('proxy CLI', () => {
  for (const [signal, target] of [
    ['SIGTERM', 'process'],
    ['SIGINT', 'group'],
  ] as const) {
    it(`serves, then stops cleanly on ${signal} sent to the ${target}`, async () => {
      const echo = await tcpServer();
      const p = run(['--port', '0']);
      try {
        const url = await listening(p);
        const client = new Toxiproxy(url);
        const proxy = await client.createProxy({ name: 'x', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` });
        const s = await connect(portOf(proxy.listen));
        expect(await roundTrip(s, 'through a separate process')).toBeGreaterThan(0);
        const closed = new Promise((r) => s.once('close', r));
        const pids = group(p.child.pid!);
        expect(pids).toContain(p.child.pid);
        if (target === 'group') process.kill(-p.child.pid!, signal);
        else p.child.kill(signal);
        expect(await p.exited).toBe(0);
        for (let i = 0; i < 100 && pids.some(alive); i++) await new Promise((r) => setTimeout(r, 20));
        expect(pids.filter(alive)).toEqual([]);
        await closed;
        // Nothing left listening: no orphan kept the API or the proxy port.
        await expect(connect(portOf(proxy.listen))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
        await expect(connect(Number(new URL(url).port))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
        expect(p.err()).toContain(signal);
      } finally {
        kill(p.child);
        await echo.close();
      }
    }, 30_000);
  }

  it('prints help, and rejects bad arguments with exit 2', async () => {
    const help = run(['--help']);
    expect(await help.exited).toBe(0);
    expect(help.out()).toContain('--port');
    expect(help.out()).toContain('exit: 0 stopped by a signal, 1 cannot listen');
    const bad = run(['--port', 'seventy']);
    expect(await bad.exited).toBe(2);
    // One line naming the mistake, not the usage text again (QA pass).
    expect(bad.err()).toBe("proxy: --port must be a number from 0 to 65535, not 'seventy' (see --help)\n");
  }, 30_000);

  it('creates proxies from --config (or toxiproxy-server\'s -config) and reports a bad file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'proxy-cli-'));
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify([{ name: 'from-file', listen: '127.0.0.1:0', upstream: '127.0.0.1:1' }]));
    const p = run(['-port', '0', '-config', good]);
    try {
      const client = new Toxiproxy(await listening(p));
      expect(Object.keys(await client.getAll())).toEqual(['from-file']);
    } finally {
      p.child.kill('SIGTERM');
      await p.exited;
    }
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify([{ name: 'no-upstream' }]));
    const q = run(['--port', '0', '--config', bad]);
    expect(await q.exited).toBe(2);
    expect(q.err()).toContain(`config ${bad}: missing required field: upstream at proxy 1`);
    const r = run(['--port', '0', '--config', join(dir, 'missing.json')]);
    expect(await r.exited).toBe(2);
    expect(r.err()).toContain('ENOENT');
    rmSync(dir, { recursive: true });
  }, 30_000);

  it('exits 1 with a clear message when the port is taken', async () => {
    const taken = await tcpServer();
    const p = run(['--port', String(taken.port)]);
    try {
      expect(await p.exited).toBe(1);
      expect(p.err()).toBe(`proxy: cannot listen on 127.0.0.1:${taken.port}: EADDRINUSE (the port is in use: pick another with --port, or --port 0 for a free one)\n`);
    } finally {
      kill(p.child);
      await taken.close();
    }
  }, 30_000);
});
