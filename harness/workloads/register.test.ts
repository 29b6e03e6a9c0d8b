import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkHistory, isValue, parseHistory } from '../../checkers/index.ts';
import type { Outcome } from '../client/wireConnection.ts';
import { nemesisPlan } from '../nemeses/cycles.ts';
import { HistoryRecorder } from '../recorder.ts';
import { openWireClient } from '../client/wireClient.ts';
import { wallClock } from '../engine/wallClock.ts';
import { classify, finalReads, FreshValues, invoke, registerOpArbitrary, scheduleHead, type RegisterOp, type WorkloadStats } from './register.ts';

const seedArb = fc.nat({ max: 0xffffffff });
const opts = (seed: number) => ({ seed, concurrency: 4, keys: 3, rate: 50 });
const registerSchedule = (o: ReturnType<typeof opts>) => scheduleHead(o, 40);
// The properties' own seed is printed by fast-check on failure; fixed here so CI replays.
const params = { seed: 20261127, numRuns: 25 };

describe('seeds replay schedules', () => {
  it('the same seed gives the same workload schedule', () => {
    fc.assert(
      fc.property(seedArb, (seed) => {
        expect(registerSchedule(opts(seed))).toEqual(registerSchedule(opts(seed)));
      }),
      params,
    );
  });

  it('different seeds give different schedules', () => {
    fc.assert(
      fc.property(seedArb, seedArb, (a, b) => {
        fc.pre(a !== b);
        expect(registerSchedule(opts(a))).not.toEqual(registerSchedule(opts(b)));
      }),
      params,
    );
  });

  it('the same seed gives the same nemesis plan, and different seeds differ', () => {
    fc.assert(
      fc.property(seedArb, seedArb, (a, b) => {
        const timing = { quietMs: 2000, faultMs: 5000 };
        expect(nemesisPlan(a, timing)).toEqual(nemesisPlan(a, timing));
        if (a !== b) expect(nemesisPlan(a, timing)).not.toEqual(nemesisPlan(b, timing));
      }),
      params,
    );
  });

  it('operations are drawn as fc.record drew them (the same schedules for the same seeds), as plain objects', () => {
    const recordArbitrary = (keys: number, meanDelayMs: number) => {
      const key = fc.integer({ min: 0, max: keys - 1 }).map((i) => `k${i}`);
      const delayMs = fc.integer({ min: 0, max: Math.max(0, Math.round(2 * meanDelayMs)) });
      return fc.oneof(
        { weight: 4, arbitrary: fc.record({ f: fc.constant('read' as const), key, value: fc.constant(null), delayMs }) },
        { weight: 4, arbitrary: fc.record({ f: fc.constant('write' as const), key, value: fc.constant(null), fresh: fc.constant(true as const), delayMs }) },
        { weight: 2, arbitrary: fc.record({ f: fc.constant('cas' as const), key, value: fc.constant([null, null]), fresh: fc.constantFrom('last', 'last', 'last', 'older'), delayMs }) },
      );
    };
    const draw = (arb: fc.Arbitrary<unknown>, seed: number) =>
      fc.sample(fc.array(fc.infiniteStream(arb), { minLength: 3, maxLength: 3 }), { seed, numRuns: 1 })[0].map((s) => [...s.take(200)]);
    for (let seed = 1; seed <= 40; seed++) {
      const ours = draw(registerOpArbitrary(4, 100), seed);
      expect(JSON.stringify(ours)).toBe(JSON.stringify(draw(recordArbitrary(4, 100), seed)));
      for (const op of ours.flat()) expect(Object.getPrototypeOf(op)).toBe(Object.prototype);
    }
  });

  it('schedules draw what streams of registerOpArbitrary draw, for any shape of workload', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const o = { seed, concurrency: 1 + (seed % 16), keys: 1 + (seed % 5), rate: [1, 10, 60, 800][seed % 4], keyStyle: seed % 3 === 0 ? ('integer' as const) : ('string' as const) };
      const meanDelayMs = (1000 * o.concurrency) / o.rate;
      const reference = fc.sample(fc.array(fc.infiniteStream(registerOpArbitrary(o.keys, meanDelayMs, o.keyStyle)), { minLength: o.concurrency, maxLength: o.concurrency }), { seed, numRuns: 1 })[0];
      expect(JSON.stringify(scheduleHead(o, 300))).toBe(JSON.stringify(reference.map((s) => [...s.take(300)])));
    }
  });

  it('streams are endless and lazy: a long prefix replays too', () => {
    const long = (seed: number) => scheduleHead({ seed, concurrency: 2, keys: 3, rate: 10 }, 5000);
    expect(long(3)).toEqual(long(3));
    expect(long(3)[0].slice(0, 40)).toEqual(scheduleHead({ seed: 3, concurrency: 2, keys: 3, rate: 10 }, 40)[0]);
  });

  it('schedules have the requested shape: one list per client, keys and values in range', () => {
    const s = registerSchedule(opts(7));
    expect(s).toHaveLength(4);
    for (const slot of s) {
      expect(slot).toHaveLength(40);
      for (const op of slot) {
        expect(['k0', 'k1', 'k2']).toContain(op.key);
        expect(op.delayMs).toBeGreaterThanOrEqual(0);
        expect(op.delayMs).toBeLessThanOrEqual((2 * 1000 * 4) / 50);
      }
    }
    const fs = new Set(s.flat().map((op) => op.f));
    expect(fs).toEqual(new Set(['read', 'write', 'cas']));
  });
});

describe('fresh values', () => {
  it('fill picks the values once: a filled operation (as a recorded schedule holds it) keeps them, and its JSON has no fresh', () => {
    const values = new FreshValues();
    const write: RegisterOp = { f: 'write', key: 'k0', value: null, fresh: true, delayMs: 3 };
    const cas: RegisterOp = { f: 'cas', key: 'k0', value: [null, null], fresh: 'last', delayMs: 1 };
    values.fill(write);
    values.observe(write, write.value);
    values.fill(cas);
    expect(JSON.parse(JSON.stringify([write, cas]))).toEqual([
      { f: 'write', key: 'k0', value: 1, delayMs: 3 },
      { f: 'cas', key: 'k0', value: [1, 2], delayMs: 1 },
    ]);
    values.fill(write);
    values.fill(cas);
    expect([write.value, cas.value]).toEqual([1, [1, 2]]);
  });
});

describe('how outcomes are recorded', () => {
  const read: RegisterOp = { f: 'read', key: 'k', value: null, delayMs: 0 };
  const write: RegisterOp = { f: 'write', key: 'k', value: 3, delayMs: 0 };
  const cas: RegisterOp = { f: 'cas', key: 'k', value: [3, 4], delayMs: 0 };
  const reply = (body: object) => ({ kind: 'reply' as const, body: { type: 'error', ...body } });

  it('ok replies are ok, with the value read', () => {
    expect(classify(read, { kind: 'reply', body: { type: 'read_ok', value: 5 } })).toEqual({ type: 'ok', value: 5 });
    expect(classify(write, { kind: 'reply', body: { type: 'write_ok' } })).toEqual({ type: 'ok', value: 3 });
    expect(classify(cas, { kind: 'reply', body: { type: 'cas_ok' } })).toEqual({ type: 'ok', value: [3, 4] });
  });

  it('a read of a missing key (code 20) is ok null: the initial state', () => {
    expect(classify(read, reply({ code: 20 }))).toEqual({ type: 'ok', value: null });
  });

  it('definite errors are fail; indefinite errors, unknown codes and silence are info', () => {
    expect(classify(cas, reply({ code: 22 })).type).toBe('fail');
    expect(classify(cas, reply({ code: 20 })).type).toBe('fail');
    expect(classify(write, reply({ code: 11 }))).toEqual({ type: 'fail', error: 'temporarily-unavailable' });
    expect(classify(write, reply({ code: 0 })).type).toBe('info');
    expect(classify(write, reply({ code: 13 })).type).toBe('info');
    expect(classify(write, reply({ code: 99 })).type).toBe('info');
    expect(classify(write, { kind: 'timeout' }).type).toBe('info');
    expect(classify(write, { kind: 'closed', sent: true, reason: 'reset' }).type).toBe('info');
    expect(classify(write, { kind: 'closed', sent: false, reason: 'ECONNREFUSED' }).type).toBe('fail');
    expect(classify(write, { kind: 'reply', body: { type: 'cas_ok' } }).type).toBe('info');
  });

  // Issue 13, item 5: a read answered with an object was recorded as ok, so torture said
  // "caught" and then `check` refused the history it had written.
  it('a reply the checker could not use is info with the reason, marked unusable', () => {
    expect(classify(read, { kind: 'reply', body: { type: 'read_ok', value: { a: 1 } } })).toEqual({
      type: 'info',
      error: 'read_ok with value {"a":1}, not a number, string or null',
      unusable: true,
    });
    expect(classify(read, { kind: 'reply', body: { type: 'read_ok', value: [1, 2] } })).toMatchObject({ type: 'info', unusable: true });
    expect(classify(read, { kind: 'reply', body: { type: 'read_ok', value: Infinity } })).toMatchObject({ type: 'info', unusable: true }); // what JSON.parse makes of 1e400
    expect(classify(read, { kind: 'reply', body: { type: 'read_ok' } })).toMatchObject({ type: 'info', unusable: true });
    expect(classify(write, reply({ code: '11' }))).toMatchObject({ type: 'info', unusable: true });
    expect(classify(write, { kind: 'reply', body: { type: 'x'.repeat(10_000) } })).toMatchObject({ type: 'info', unusable: true });
    expect((classify(write, { kind: 'reply', body: { type: 'x'.repeat(10_000) } }) as { error: string }).error.length).toBeLessThan(120);
  });
});

describe('whatever a system replies, the recorded history is one the checker accepts', () => {
  const anyJson = fc.oneof(fc.jsonValue(), fc.double(), fc.constant(undefined));
  const replyBody = fc
    .tuple(
      fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
      fc.record({
        type: fc.oneof(fc.constantFrom('read_ok', 'write_ok', 'cas_ok', 'error'), fc.jsonValue({ maxDepth: 2 })),
        value: anyJson,
        code: fc.oneof(fc.constantFrom(0, 11, 13, 20, 22), anyJson),
        text: anyJson,
      }),
    )
    .map(([extra, known]) => ({ ...extra, ...known }) as Record<string, unknown> & { type: string });

  it('parses with the checker\'s own parser, and usable read values are kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'splitbrain-replies-'));
    try {
      await fc.assert(
        fc.asyncProperty(registerOpArbitrary(3, 0), replyBody, async (op, body) => {
          const path = join(dir, 'history.jsonl');
          const recorder = new HistoryRecorder(path);
          // The wire client's own mapping, over a connection that answers `body` to anything.
          const conn = { closed: false, close: () => undefined, invoke: async (o: RegisterOp) => classify(o, { kind: 'reply', body } satisfies Outcome) };
          const stats: WorkloadStats = { invoked: 0, ok: 0, fail: 0, info: 0 };
          const cluster = { clock: wallClock(), connect: async () => ({ error: 'unused' }) };
          const done = await invoke({ id: 0, endpoint: 0, conn }, op, { cluster, endpoints: [], recorder, opTimeoutMs: 1000, stats });
          recorder.close();
          const events = parseHistory(readFileSync(path, 'utf8'), { file: path }).events;
          expect(events).toHaveLength(2);
          if (op.f === 'read' && body.type === 'read_ok' && isValue(body.value)) expect(events[1]).toMatchObject({ type: 'ok', value: body.value });
          if (op.f === 'read' && body.type === 'read_ok' && !isValue(body.value)) {
            expect(done.type).toBe('info');
            expect(stats.unusable?.count).toBe(1);
          }
        }),
        { ...params, numRuns: 500 },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('error registry', () => {
  it('reads the protocol registry: the README codes with their definiteness, unknown codes indefinite', async () => {
    const { describeError } = await import('../client/errorCodes.ts');
    expect([0, 11, 13, 20, 22].map((c) => [c, describeError(c).definite])).toEqual([
      [0, false],
      [11, true],
      [13, false],
      [20, true],
      [22, true],
    ]);
    expect(describeError(4242)).toEqual({ code: 4242, name: 'error-4242', definite: false });
  });
});

describe('final reads', () => {
  // Two coordinators in front of replicas that diverged: one always answers 1, the other 2.
  // A single read per key would see one side and pass; reading every key through every
  // client node must record both values, which the checker then refutes.
  it('read every key through every client node, so diverged replicas are seen', async () => {
    const servers = [1, 2].map((value) =>
      net.createServer((socket) => {
        let buffer = '';
        socket.setEncoding('utf8');
        socket.on('data', (chunk: string) => {
          buffer += chunk;
          let nl: number;
          while ((nl = buffer.indexOf('\n')) >= 0) {
            const req = JSON.parse(buffer.slice(0, nl)) as { msg_id: number };
            buffer = buffer.slice(nl + 1);
            socket.write(JSON.stringify({ type: 'read_ok', in_reply_to: req.msg_id, value }) + '\n');
          }
        });
      }),
    );
    const dir = mkdtempSync(join(tmpdir(), 'splitbrain-final-reads-'));
    try {
      const ports = new Map(
        await Promise.all(
          servers.map(
            (s, i) =>
              new Promise<[string, number]>((resolve) => s.listen(0, '127.0.0.1', () => resolve([`c${i + 1}`, (s.address() as net.AddressInfo).port]))),
          ),
        ),
      );
      const cluster = { clock: wallClock(), connect: (node: string, ms: number) => openWireClient('127.0.0.1', ports.get(node)!, ms) };
      const recorder = new HistoryRecorder(join(dir, 'history.jsonl'));
      const stats = { invoked: 0, ok: 0, fail: 0, info: 0 };
      const outcome = await finalReads(2, { cluster, endpoints: [...ports.keys()], recorder, opTimeoutMs: 2000, stats, nextProcess: { value: 0 } });
      recorder.close();
      expect(outcome).toEqual({ read: 2, of: 2 });
      const seen = (key: string) =>
        new Set(recorder.events.filter((e) => e.type === 'ok' && 'key' in e && e.key === key).map((e) => e.value));
      expect(seen('k0')).toEqual(new Set([1, 2]));
      expect(seen('k1')).toEqual(new Set([1, 2]));
      const result = await checkHistory(recorder.events);
      expect(result.valid).toBe(false);
    } finally {
      for (const s of servers) s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
