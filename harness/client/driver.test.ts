// The client driver contract, against drivers that misbehave on purpose: what
// each answer becomes in the history, and that no exception, hang or garbled
// answer escapes as anything but info (or fail when nothing was sent).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RegisterOp } from '../workloads/register.ts';
import { checkResult, loadDriver, openDriverConnection, type ClientDriver, type DriverConnection, type DriverOp } from './driver.ts';

const target = { node: 'n1', host: '127.0.0.1', port: 1, ports: { peer: 2 }, options: { reads: 'serializable' } };
const read: RegisterOp = { f: 'read', key: 'k0', value: null, delayMs: 0 };
const write: RegisterOp = { f: 'write', key: 'k0', value: 3, delayMs: 0 };
const cas: RegisterOp = { f: 'cas', key: 'k0', value: [3, 4], delayMs: 0 };

/** A driver whose one connection answers with `answer(op)`. */
function driverOf(answer: (op: DriverOp) => unknown): ClientDriver & { opened: unknown[]; closed: number } {
  const d = {
    opened: [] as unknown[],
    closed: 0,
    async open(t: unknown) {
      d.opened.push(t);
      return { invoke: async (op: DriverOp) => answer(op) as never, close: () => void d.closed++ };
    },
  };
  return d;
}

async function invokeWith(driver: ClientDriver, op: RegisterOp, timeoutMs = 1000) {
  const conn = await openDriverConnection(driver, target, timeoutMs);
  if ('error' in conn) throw new Error(conn.error);
  return { conn, done: await conn.invoke(op, timeoutMs) };
}

describe('client driver contract', () => {
  it('hands the driver its target and maps ok, fail and info as the history records them', async () => {
    const d = driverOf((op) => (op.f === 'read' ? { type: 'ok', value: 7 } : op.f === 'write' ? { type: 'ok' } : { type: 'fail', error: 'precondition-failed' }));
    expect((await invokeWith(d, read)).done).toEqual({ type: 'ok', value: 7 });
    // A write or cas that happened is recorded with the value it wrote, whatever the driver echoes.
    expect((await invokeWith(d, write)).done).toEqual({ type: 'ok', value: 3 });
    expect((await invokeWith(d, cas)).done).toEqual({ type: 'fail', error: 'precondition-failed' });
    expect(d.opened[0]).toEqual(target);
    const info = driverOf(() => ({ type: 'info', error: 'etcdserver: request timed out' }));
    expect((await invokeWith(info, write)).done).toEqual({ type: 'info', error: 'etcdserver: request timed out' });
    expect((await invokeWith(driverOf(() => ({ type: 'ok', value: null })), read)).done).toEqual({ type: 'ok', value: null });
  });

  it('a driver that throws is info (it may have happened), never a crash', async () => {
    const d = driverOf(() => {
      throw new Error('socket hang up');
    });
    expect((await invokeWith(d, write)).done).toEqual({ type: 'info', error: 'driver threw: socket hang up' });
    const rejects = driverOf(() => Promise.reject('not even an Error'));
    expect((await invokeWith(rejects, read)).done).toEqual({ type: 'info', error: 'driver threw: not even an Error' });
  });

  it('a driver call that outlives its time limit is info "timeout", and the late answer is ignored', async () => {
    let finish: (v: unknown) => void = () => {};
    const d = driverOf(() => new Promise((r) => (finish = r)));
    const { conn, done } = await invokeWith(d, write, 50);
    expect(done).toEqual({ type: 'info', error: 'timeout' });
    finish({ type: 'ok' });
    conn.close();
    expect(conn.closed).toBe(true);
    expect(d.closed).toBe(1);
  });

  it('an open that throws or hangs is an error string: the operation was never sent (fail)', async () => {
    const refuses: ClientDriver = { open: async () => Promise.reject(new Error('ECONNREFUSED')) };
    expect(await openDriverConnection(refuses, target, 500)).toEqual({ error: 'ECONNREFUSED' });
    let closedLate = false;
    let arrive: (c: DriverConnection) => void = () => {};
    const hangs: ClientDriver = { open: () => new Promise((r) => (arrive = r)) };
    expect(await openDriverConnection(hangs, target, 50)).toEqual({ error: 'connect timeout' });
    // A connection that arrives after the harness gave up is closed, not leaked.
    arrive({ invoke: async () => ({ type: 'ok' }), close: () => void (closedLate = true) });
    await expect.poll(() => closedLate).toBe(true);
    const throwsSync: ClientDriver = {
      open: () => {
        throw new Error('bad options');
      },
    };
    expect(await openDriverConnection(throwsSync, target, 500)).toEqual({ error: 'bad options' });
  });

  it('answers the checker could not use are info, marked unusable, with the reason', () => {
    expect(checkResult(read, { type: 'ok' })).toMatchObject({ type: 'info', unusable: true, error: expect.stringMatching(/read ok without a value/) });
    expect(checkResult(read, { type: 'ok', value: { nested: 1 } })).toMatchObject({ type: 'info', unusable: true, error: expect.stringMatching(/not a number, string or null/) });
    expect(checkResult(read, undefined)).toMatchObject({ type: 'info', unusable: true });
    expect(checkResult(write, { type: 'maybe' })).toMatchObject({ type: 'info', unusable: true, error: expect.stringMatching(/type "maybe", not ok, fail or info/) });
    // Missing error text still says which way it went.
    expect(checkResult(write, { type: 'fail' })).toEqual({ type: 'fail', error: 'failed' });
    expect(checkResult(write, { type: 'info' })).toEqual({ type: 'info', error: 'indefinite' });
  });

  it('a connection the driver reports closed is replaced; a closed one sends nothing', async () => {
    let gone = false;
    const d: ClientDriver = {
      open: async () => ({
        invoke: async () => ({ type: 'ok' }),
        get closed() {
          return gone;
        },
        close() {},
      }),
    };
    const conn = await openDriverConnection(d, target, 500);
    if ('error' in conn) throw new Error(conn.error);
    expect(conn.closed).toBe(false);
    gone = true;
    expect(conn.closed).toBe(true);
    conn.close();
    expect(await conn.invoke(write, 100)).toEqual({ type: 'fail', error: 'not sent: connection closed' });
  });
});

describe('loading a driver module', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-driver-'));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  it('takes the default export, or an export named driver; TypeScript and plain JavaScript', async () => {
    const ts = await loadDriver(file('a.ts', "export default { open: async (t: { node: string }) => ({ invoke: async () => ({ type: 'ok', value: t.node }), close() {} }) };"));
    const conn = await openDriverConnection(ts, target, 500);
    if ('error' in conn) throw new Error(conn.error);
    expect(await conn.invoke(read, 500)).toEqual({ type: 'ok', value: 'n1' });
    await expect(loadDriver(file('b.mjs', 'export const driver = { open: async () => ({}) };'))).resolves.toHaveProperty('open');
  });

  it('says what is wrong with a module that is not a driver, or does not load', async () => {
    await expect(loadDriver(file('c.mjs', 'export const open = 1;'))).rejects.toThrow(/exports no driver: its default export \(or an export named "driver"\) must be an object with open/);
    await expect(loadDriver(file('d.mjs', 'this is not javascript'))).rejects.toThrow(/cannot load client driver .*d\.mjs/);
    await expect(loadDriver(file('e.mjs', "throw new Error('needs a database library');"))).rejects.toThrow(/cannot load client driver .*: needs a database library/);
  });
});
