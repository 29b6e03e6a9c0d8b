// Each toxic's logic on a bare ToxicStub: in-memory input, a collecting
// output, a fake clock and a seeded PRNG. No sockets, no real time.
import { describe, expect, it } from 'vitest';
import { FakeClock, seededRandom, settle } from '../clock.ts';
import { ToxicStub, type Chunk, type StubHost, type Target } from '../stub.ts';
import type { Attributes, ToxicDefinition } from './definition.ts';
import { lookupToxic } from './registry.ts';
import { sliceOffsets } from './slicer.ts';

function setup(type: string, attributes: Attributes, toxicity = 1) {
  const def = lookupToxic(type) as ToxicDefinition;
  const clock = new FakeClock();
  const out: { text: string; at: number }[] = [];
  let endedAt: number | undefined;
  let resetAt: number | undefined;
  const sink: Target = {
    write(c: Chunk) {
      out.push({ text: c.data.toString(), at: clock.now() });
      return true;
    },
    end() {
      endedAt = clock.now();
    },
    whenDrained: () => Promise.resolve(),
  };
  const host: StubHost = {
    clock,
    random: seededRandom(42),
    reset() {
      resetAt = clock.now();
    },
    fail(err) {
      throw err;
    },
  };
  const stub = new ToxicStub(host, sink);
  if (def.newState) stub.state = def.newState();
  const full = { ...Object.fromEntries(Object.keys(def.attributes).map((k) => [k, 0])), ...attributes };
  const runnable = (a: Attributes) => ({ impl: def.create({ ...full, ...a }), toxicity });
  stub.run(runnable({}));
  return {
    clock,
    stub,
    sink,
    out,
    text: () => out.map((o) => o.text).join(''),
    endedAt: () => endedAt,
    resetAt: () => resetAt,
    send(s: string) {
      stub.write({ data: Buffer.from(s), timestamp: clock.now() });
    },
    async restart(a: Attributes) {
      expect(await stub.interrupt()).toBe(true);
      stub.run(runnable(a));
      await settle();
    },
  };
}

describe('noop', () => {
  it('passes data and end of stream through', async () => {
    const t = setup('noop', {});
    t.send('ab');
    t.send('cd');
    t.stub.end();
    await settle();
    expect(t.text()).toBe('abcd');
    expect(t.endedAt()).toBe(0);
  });
});

describe('latency', () => {
  it('delays each chunk by latency, counted from when it was read', async () => {
    const t = setup('latency', { latency: 100 });
    t.send('a');
    await t.clock.advance(50);
    t.send('b');
    await t.clock.advance(49);
    expect(t.out).toEqual([]);
    await t.clock.advance(1);
    expect(t.out).toEqual([{ text: 'a', at: 100 }]);
    await t.clock.advance(50);
    // b waited behind a but is not delayed twice.
    expect(t.out[1]).toEqual({ text: 'b', at: 150 });
  });

  it('keeps jittered delays within latency ± jitter', async () => {
    const t = setup('latency', { latency: 100, jitter: 20 });
    const sentAt: number[] = [];
    for (let i = 0; i < 50; i++) {
      sentAt.push(t.clock.now());
      t.send('x');
      await t.clock.advance(200);
    }
    const delays = t.out.map((o, i) => o.at - sentAt[i]!);
    expect(delays).toHaveLength(50);
    for (const d of delays) expect(d).toBeGreaterThanOrEqual(80), expect(d).toBeLessThan(120);
    expect(new Set(delays).size).toBeGreaterThan(5);
  });

  it('gives held data back on interrupt, so a removal passes it on at once', async () => {
    const t = setup('latency', { latency: 1000 });
    t.send('held');
    t.send('queued');
    await t.clock.advance(10);
    expect(await t.stub.interrupt()).toBe(true);
    t.stub.flushTo(t.sink);
    expect(t.text()).toBe('heldqueued');
  });

  it('re-delays held data with the new latency after an update', async () => {
    const t = setup('latency', { latency: 1000 });
    t.send('a');
    await t.clock.advance(30);
    await t.restart({ latency: 50 });
    await t.clock.advance(19);
    expect(t.out).toEqual([]);
    await t.clock.advance(1);
    expect(t.out).toEqual([{ text: 'a', at: 50 }]);
  });

  it('applies to no connection with toxicity 0', async () => {
    const t = setup('latency', { latency: 1000 }, 0);
    t.send('a');
    await settle();
    expect(t.out).toEqual([{ text: 'a', at: 0 }]);
  });
});

describe('bandwidth', () => {
  it('sends at rate KB/s (1000 bytes per second per unit)', async () => {
    const t = setup('bandwidth', { rate: 1 });
    t.send('x'.repeat(50));
    await t.clock.advance(49);
    expect(t.out).toEqual([]);
    await t.clock.advance(1);
    expect(t.text()).toHaveLength(50);
  });

  it('slices large chunks into 100 ms pieces', async () => {
    const t = setup('bandwidth', { rate: 1 });
    t.send('y'.repeat(250));
    await t.clock.advance(1000);
    expect(t.out.map((o) => [o.text.length, o.at])).toEqual([
      [100, 100],
      [100, 200],
      [50, 250],
    ]);
  });

  it('gives the unsent rest back on interrupt', async () => {
    const t = setup('bandwidth', { rate: 1 });
    t.send('z'.repeat(250));
    await t.clock.advance(150);
    expect(await t.stub.interrupt()).toBe(true);
    t.stub.flushTo(t.sink);
    expect(t.text()).toBe('z'.repeat(250));
  });
});

describe('slow_close', () => {
  it('passes data, delays the close', async () => {
    const t = setup('slow_close', { delay: 300 });
    t.send('data');
    t.stub.end();
    await t.clock.advance(299);
    expect(t.text()).toBe('data');
    expect(t.endedAt()).toBeUndefined();
    await t.clock.advance(1);
    expect(t.endedAt()).toBe(300);
  });

  it('keeps the pending close when removed mid-delay', async () => {
    const t = setup('slow_close', { delay: 300 });
    t.stub.end();
    await t.clock.advance(100);
    await t.stub.interrupt();
    t.stub.flushTo(t.sink);
    expect(t.endedAt()).toBe(100);
  });
});

describe('timeout', () => {
  it('with timeout 0 drops data and never closes', async () => {
    const t = setup('timeout', { timeout: 0 });
    t.send('lost');
    await t.clock.advance(1_000_000);
    expect(t.out).toEqual([]);
    expect(t.endedAt()).toBeUndefined();
    expect(t.clock.pending()).toBe(0);
  });

  it('closes after timeout ms', async () => {
    const t = setup('timeout', { timeout: 500 });
    t.send('lost');
    await t.clock.advance(499);
    expect(t.endedAt()).toBeUndefined();
    await t.clock.advance(1);
    expect(t.endedAt()).toBe(500);
    expect(t.out).toEqual([]);
  });

  it('closes the connection when removed (cleanup)', async () => {
    const t = setup('timeout', { timeout: 0 });
    t.send('lost');
    await t.clock.advance(10);
    await t.stub.interrupt();
    lookupToxic('timeout')!.create({ timeout: 0 }).cleanup!(t.stub);
    expect(t.endedAt()).toBe(10);
    expect(t.out).toEqual([]);
  });
});

describe('reset_peer', () => {
  it('resets timeout ms after the first data', async () => {
    const t = setup('reset_peer', { timeout: 200 });
    await t.clock.advance(1000);
    expect(t.resetAt()).toBeUndefined();
    t.send('x');
    await t.clock.advance(199);
    expect(t.resetAt()).toBeUndefined();
    await t.clock.advance(1);
    expect(t.resetAt()).toBe(1200);
    expect(t.out).toEqual([]);
  });

  it('resets at once with timeout 0', async () => {
    const t = setup('reset_peer', { timeout: 0 });
    t.send('x');
    await settle();
    expect(t.resetAt()).toBe(0);
  });
});

describe('slicer', () => {
  it('cuts a chunk into average_size pieces, delay µs apart', async () => {
    const t = setup('slicer', { average_size: 10, size_variation: 0, delay: 1000 });
    t.send('0123456789'.repeat(4));
    await t.clock.advance(100);
    expect(t.out.map((o) => [o.text, o.at])).toEqual([
      ['0123456789', 0],
      ['0123456789', 1],
      ['0123456789', 2],
      ['0123456789', 3],
    ]);
  });

  it('varies piece sizes within ± size_variation and keeps every byte', () => {
    const random = seededRandom(7);
    const a = { average_size: 20, size_variation: 8, delay: 0 };
    const cuts = sliceOffsets(0, 1000, a, random);
    expect(cuts[0]).toBe(0);
    expect(cuts[cuts.length - 1]).toBe(1000);
    for (let i = 1; i < cuts.length; i += 2) {
      const size = cuts[i]! - cuts[i - 1]!;
      expect(size).toBeGreaterThan(0);
      expect(size).toBeLessThanOrEqual(28);
      if (i + 1 < cuts.length) expect(cuts[i + 1]).toBe(cuts[i]);
    }
  });

  it('gives the unsent rest back on interrupt', async () => {
    const t = setup('slicer', { average_size: 4, size_variation: 0, delay: 10_000 });
    t.send('abcdefghijkl');
    await t.clock.advance(5);
    await t.stub.interrupt();
    t.stub.flushTo(t.sink);
    expect(t.text()).toBe('abcdefghijkl');
  });
});

describe('limit_data', () => {
  it('passes exactly `bytes` bytes, then closes', async () => {
    const t = setup('limit_data', { bytes: 10 });
    t.send('123456');
    t.send('789abc');
    t.send('never');
    await settle();
    expect(t.text()).toBe('123456789a');
    expect(t.endedAt()).toBe(0);
  });

  it('keeps its count across an update', async () => {
    const t = setup('limit_data', { bytes: 5 });
    t.send('abc');
    await settle();
    await t.restart({ bytes: 6 });
    t.send('defgh');
    await settle();
    expect(t.text()).toBe('abcdef');
    expect(t.endedAt()).toBe(0);
  });
});
