// The real host as a process: usage errors, the environment, start-up in any
// order (a link that comes up late), clean exit on SIGTERM, role options, and
// a node that keeps durable state (a view-service replica of raftvs) with and
// without a data directory.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { WireConnection, type Reply } from '../../harness/client/wireConnection.ts';
import { freePort } from '../../harness/cluster/ports.ts';
import { wallClock } from '../../harness/engine/wallClock.ts';
import { waitFor as waitOn } from '../../harness/engine/testkit.ts';

const naiveDir = fileURLToPath(new URL('../naive/', import.meta.url));
const raftvsDir = fileURLToPath(new URL('../raftvs/', import.meta.url));
const started: ChildProcess[] = [];
afterAll(() => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null && c.pid) process.kill(-c.pid, 'SIGKILL');
});

function node(args: string[], env: Record<string, string> = {}, cwd = naiveDir) {
  const child = spawn(process.execPath, ['--import', 'tsx', '../runtime/main.ts', ...args], {
    cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  started.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, exited, out: () => out, err: () => err };
}

const clock = { clock: wallClock() };
const waitFor = <T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs?: number, everyMs?: number) => waitOn(clock, what, check, timeoutMs, everyMs);

/** Listens on `port` in this process, as a peer that came up late; resolves with the first line a node sends it. */
async function listenAsLatePeer(port: number): Promise<{ firstLine: Promise<string>; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let gotLine!: (line: string) => void;
  const firstLine = new Promise<string>((r) => (gotLine = r));
  const server = net.createServer((socket) => {
    sockets.add(socket);
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('error', () => undefined);
    socket.on('data', (d: string) => {
      buffer += d;
      if (buffer.includes('\n')) gotLine(buffer.slice(0, buffer.indexOf('\n')));
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    firstLine,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A client of the node at `port` (the harness's wire connection); a request resolves with the reply, or null. */
async function connect(port: number): Promise<{ request(body: Record<string, unknown>, timeoutMs?: number): Promise<Reply | null>; close(): void }> {
  const conn = await waitFor(`port ${port}`, async () => {
    const c = await WireConnection.open('127.0.0.1', port, 1000);
    return 'error' in c ? undefined : c;
  }, 15_000);
  return {
    request: async (body, timeoutMs = 5000) => {
      const out = await conn.request(body, timeoutMs);
      return out.kind === 'reply' ? out.body : null;
    },
    close: () => conn.close(),
  };
}

describe('node host (real process)', () => {
  it('prints usage on --help, and a one-line reason (exit 2) on bad arguments', async () => {
    const help = node(['--help']);
    expect(await help.exited).toBe(0);
    expect(help.out()).toMatch(/^usage: /);
    const bad = node(['replica', '--listen', '127.0.0.1:1']);
    expect(await bad.exited).toBe(2);
    expect(bad.err()).toMatch(/^missing --id/);
    expect(bad.err()).not.toMatch(/\bat .*\.ts:\d+/); // no stack trace
    const role = node(['dragon', '--id', 'x', '--listen', '127.0.0.1:0']);
    expect(await role.exited).toBe(2);
    expect(role.err()).toMatch(/unknown role 'dragon'; roles.ts has: replica, coordinator/);
  });

  // The peer's start is not raced against anything: the test plays the late peer itself
  // (an in-process listener, up at once) to see the queued message arrive, and then waits
  // for the real replica's own "listening" line. Sending the write while a tsx process
  // starts raced the coordinator's 1 s replica timeout and lost on a busy machine.
  it('takes its identity from the environment, dials a peer that starts late, and exits 0 on SIGTERM', async () => {
    const [cPort, rPort] = [await freePort(), await freePort()];
    const coordinator = node(['coordinator'], { SPLITBRAIN_ID: 'c1', SPLITBRAIN_LISTEN: `127.0.0.1:${cPort}`, SPLITBRAIN_PEERS: `r1=127.0.0.1:${rPort}` });
    const client = await connect(cPort);
    // r1 is not up yet: the write waits in c1's link queue and goes out once r1 listens.
    const write = client.request({ type: 'write', key: 'k', value: 1 }, 10_000);
    const lateR1 = await listenAsLatePeer(rPort);
    expect(JSON.parse(await lateR1.firstLine)).toMatchObject({ src: 'c1', dest: 'r1', body: { type: 'apply', op: { f: 'write', key: 'k', value: 1 } } });
    await lateR1.close();
    await write; // answered either way: the stand-in never replies, so c1 reports a timeout
    const replica = node(['replica', '--id', 'r1', '--listen', `127.0.0.1:${rPort}`]);
    await waitFor('r1 listening', () => /listening on/.test(replica.err()), 15_000);
    // c1 redials r1 on its own schedule; until then a write may time out (indefinite), so try again.
    await waitFor('a write through the redialled link', async () => (await client.request({ type: 'write', key: 'k', value: 1 }, 10_000))?.type === 'write_ok', 15_000, 0);
    expect(await client.request({ type: 'read', key: 'k' })).toMatchObject({ type: 'read_ok', value: 1 });
    expect(await client.request({ type: 'nonsense', key: 'k' })).toMatchObject({ type: 'error', code: 12 });
    client.close();
    for (const p of [coordinator, replica]) p.child.kill('SIGTERM');
    expect(await coordinator.exited).toBe(0);
    expect(await replica.exited).toBe(0);
    expect(coordinator.err()).toMatch(/^\[c1\] listening on 127\.0\.0\.1:\d+, peers r1/m);
  });

  it('answers a node on the connection it came in on, and drops a damaged envelope', async () => {
    const port = await freePort();
    const replica = node(['replica', '--id', 'r1', '--listen', `127.0.0.1:${port}`]);
    await connect(port).then((c) => c.close());
    const socket = net.connect({ host: '127.0.0.1', port });
    await new Promise((r) => socket.once('connect', r));
    let received = '';
    socket.on('data', (d) => (received += d));
    const body = (msgId: number) => JSON.stringify({ type: 'apply', msg_id: msgId, op: { f: 'write', key: 'k', value: msgId } });
    socket.write(`{"src":"x9","dest":"r1","n":3,"body":${body(1)}}\n`); // wrong length: a spliced line
    socket.write(`{"src":"x9","dest":"r1","n":${body(2).length},"body":${body(2)}}\n`);
    await waitFor('the reply', () => received.includes('\n'));
    expect(received.trim().split('\n').map((l) => JSON.parse(l))).toMatchObject([{ src: 'r1', dest: 'x9', body: { type: 'apply_ok', in_reply_to: 2 } }]);
    expect(replica.err()).toMatch(/dropping a damaged line from x9/);
    socket.destroy();
    replica.child.kill('SIGTERM');
    expect(await replica.exited).toBe(0);
  });

  it('refuses a port in use with a clear message', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    const p = node(['replica', '--id', 'r9', '--listen', `127.0.0.1:${port}`]);
    expect(await p.exited).toBe(1);
    expect(p.err()).not.toMatch(/usage:/);
    expect(p.err()).toMatch(/cannot listen on 127\.0\.0\.1:\d+: address already in use/);
    blocker.close();
  });

  it('refuses arguments a design does not take, and bad role options, as usage errors', async () => {
    const extra = node(['replica', '--backups', '2', '--id', 'r1', '--listen', '127.0.0.1:0']);
    expect(await extra.exited).toBe(2);
    expect(extra.err()).toMatch(/^unexpected arguments: --backups 2/);
    const bad = node(['viewserver', '--backups', 'two', '--id', 'vs1', '--listen', '127.0.0.1:0'], {}, raftvsDir);
    expect(await bad.exited).toBe(2);
    expect(bad.err()).toMatch(/^--backups needs a whole number >= 1, got 'two'/);
  });

  it('a node with durable state refuses to start without --data, and creates a missing data directory', async () => {
    const without = node(['viewserver', '--id', 'vs1', '--listen', '127.0.0.1:0'], {}, raftvsDir);
    expect(await without.exited).toBe(1);
    expect(without.err()).toMatch(/\[vs1\] cannot start: vs1 keeps durable state but has no data directory: start it with --data DIR \(or SPLITBRAIN_DATA\)/);
    const root = mkdtempSync(join(tmpdir(), 'splitbrain-host-'));
    try {
      const dir = join(root, 'not', 'yet', 'there');
      // Alone (no peers given), vs1 campaigns: its term and vote reach the disk before its vote requests leave.
      const port = await freePort();
      const alone = node(['viewserver', '--id', 'vs1', '--listen', `127.0.0.1:${port}`], { SPLITBRAIN_DATA: dir }, raftvsDir);
      await waitFor('a term on disk', () => existsSync(join(dir, 'raft.wal')) && readFileSync(join(dir, 'raft.wal'), 'utf8').includes('"hs"'), 15_000);
      alone.child.kill('SIGTERM');
      expect(await alone.exited).toBe(0);
      const again = node(['viewserver', '--id', 'vs1', '--listen', `127.0.0.1:${port}`, '--data', dir], {}, raftvsDir);
      await waitFor('the reload', () => /restored term \d+, vote vs1/.test(again.err()), 15_000);
      again.child.kill('SIGTERM');
      expect(await again.exited).toBe(0);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
