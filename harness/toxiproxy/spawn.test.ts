// The proxy as a child process: starts, serves the client, stops on close(),
// and a crash (SIGKILL) is reported rather than going unnoticed.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Toxiproxy } from 'toxiproxy-node-client';
import { spawnToxiproxyServer } from './spawn.ts';
import { connect, portOf, roundTrip, tcpServer } from './testkit.ts';

describe('spawnToxiproxyServer', () => {
  it('runs the proxy in its own process and stops it on close()', async () => {
    const echo = await tcpServer();
    const crashes: unknown[] = [];
    const proxy = await spawnToxiproxyServer({ onExit: (code) => crashes.push(code) });
    try {
      const client = new Toxiproxy(proxy.url);
      const p = await client.createProxy({ name: 'n1->n2', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` });
      const s = await connect(portOf(p.listen));
      expect(await roundTrip(s, 'x')).toBeGreaterThan(0);
      s.destroy();
    } finally {
      await proxy.close();
      await echo.close();
    }
    expect(await proxy.exited).toBe(0);
    expect(crashes).toEqual([]);
    await expect(connect(proxy.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  }, 30_000);

  it('stops the proxy when its owner exits without close() (process.exit, as on a signal)', async () => {
    // The owner: a script that starts the proxy, prints its pid and exits.
    const spawnModule = fileURLToPath(new URL('./spawn.ts', import.meta.url));
    const script = `const { spawnToxiproxyServer } = await import(${JSON.stringify(spawnModule)}); const p = await spawnToxiproxyServer(); console.log(p.pid); process.exit(0);`;
    const owner = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    owner.stdout.on('data', (b: Buffer) => (out += b.toString()));
    await new Promise((r) => owner.once('exit', r));
    const pid = Number(out.trim());
    expect(pid).toBeGreaterThan(0);
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    const deadline = performance.now() + 10_000;
    while (alive() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const survived = alive();
    if (survived) process.kill(pid, 'SIGKILL');
    expect(survived).toBe(false);
  }, 30_000);

  it('reports a crash through onExit and leaves nothing listening', async () => {
    let crash: { code: number | string } | undefined;
    const proxy = await spawnToxiproxyServer({ onExit: (code) => (crash = { code }) });
    process.kill(proxy.pid, 'SIGKILL');
    expect(await proxy.exited).toBe('SIGKILL');
    expect(crash).toEqual({ code: 'SIGKILL' });
    await expect(connect(proxy.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await proxy.close();
  }, 30_000);
});
