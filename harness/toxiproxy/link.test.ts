// A ToxicLink on in-memory streams with a fake clock: the fast path, toxics
// added, updated and removed while data flows, and a property that no
// sequence of such changes loses or reorders a byte.
import { Duplex, PassThrough } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FakeClock, seededRandom, settle } from './clock.ts';
import { ToxicLink } from './link.ts';
import { SocketReader } from './socketReader.ts';
import { parseNewToxic, parseToxicUpdate, type ToxicWrapper } from './toxic.ts';

/**
 * Plays a socket reading through `reader`: each chunk written to `source` is
 * copied into the reader's buffer and handed over; the buffer is scribbled
 * over, as a next read may do, at once if the receiver left the source
 * flowing, else when the next read comes.
 */
function readLikeASocket(source: PassThrough, reader: SocketReader): void {
  let lent: Buffer | undefined;
  source.on('data', (chunk: Buffer) => {
    lent?.fill('#');
    lent = undefined;
    const buf = reader.options.buffer();
    const n = chunk.copy(buf);
    reader.options.callback(n, buf);
    if (n < chunk.length) source.unshift(chunk.subarray(n));
    if (source.isPaused()) lent = buf;
    else buf.fill('#');
  });
}

/**
 * A destination that takes its bytes (reads the memory it was given) only
 * when a write completes: at once, or a few microtasks later, by a seeded roll.
 */
function slowDest(received: (text: string) => void, seed: number): Duplex {
  const random = seededRandom(seed);
  return new Duplex({
    read() {},
    write(chunk: Buffer, _enc, done) {
      const take = () => {
        received(chunk.toString());
        done();
      };
      if (random() < 0.5) take();
      else void Promise.resolve().then(() => Promise.resolve()).then(take);
    },
  });
}

/** Where two long strings part, with some context; undefined when equal. */
function firstDifference(got: string, want: string): string | undefined {
  if (got === want) return undefined;
  let i = 0;
  while (i < got.length && got[i] === want[i]) i++;
  return `at ${i} of ${want.length} (got ${got.length}): got ${JSON.stringify(got.slice(i, i + 40))}, want ${JSON.stringify(want.slice(i, i + 40))}`;
}

interface SetupOptions {
  /** The source reads through a SocketReader into reused memory, and the destination completes writes late. */
  borrowed?: { seed: number };
}

function setup(initial: object[] = [], options: SetupOptions = {}) {
  const clock = new FakeClock();
  const source = new PassThrough();
  let received = '';
  let destEnded = false;
  let dest: Duplex;
  let reader: SocketReader | undefined;
  if (options.borrowed !== undefined) {
    reader = new SocketReader();
    readLikeASocket(source, reader);
    dest = slowDest((text) => (received += text), options.borrowed.seed);
    dest.on('finish', () => (destEnded = true));
  } else {
    dest = new PassThrough();
    dest.on('data', (b: Buffer) => (received += b.toString()));
    dest.on('end', () => (destEnded = true));
  }
  let resets = 0;
  const link = new ToxicLink(
    'downstream',
    source,
    dest,
    {
      clock,
      random: seededRandom(1),
      reset: () => resets++,
      fail: (err) => {
        throw err;
      },
    },
    reader,
  );
  const chain: ToxicWrapper[] = [];
  const add = (body: object) => {
    const t = parseNewToxic(body, (n) => chain.some((c) => c.name === n), new Error('exists'));
    chain.push(t);
    return t;
  };
  for (const b of initial) add(b);
  link.start(chain);
  return {
    clock,
    source,
    link,
    chain,
    received: () => received,
    destEnded: () => destEnded,
    resets: () => resets,
    async addLive(body: object) {
      const t = add(body);
      link.addToxic(t);
      await settle();
      return t;
    },
    async removeLive(t: ToxicWrapper) {
      const i = chain.indexOf(t);
      chain.splice(i, 1);
      await link.removeToxic(i, t);
      await settle();
    },
    async updateLive(t: ToxicWrapper, body: object) {
      const i = chain.indexOf(t);
      const u = parseToxicUpdate(t, body);
      chain[i] = u;
      await link.updateToxic(i, u);
      await settle();
      return u;
    },
    async write(s: string) {
      source.write(s);
      await settle();
    },
  };
}

describe('ToxicLink', () => {
  it('without toxics passes bytes and end of stream straight through', async () => {
    const t = setup();
    await t.write('hello');
    t.source.end();
    await settle();
    expect(t.received()).toBe('hello');
    expect(t.destEnded()).toBe(true);
  });

  it('reading into reused memory, keeps the source paused while a write still holds it (property)', async () => {
    const seed = Number(process.env.FC_SEED ?? Date.now() % 1_000_000);
    // Bursts of chunks written at once (several reads in one tick), then a pause.
    const burstsArb = fc.array(fc.array(fc.integer({ min: 1, max: 40_000 }), { minLength: 1, maxLength: 8 }), { maxLength: 20 });
    await fc.assert(
      fc.asyncProperty(burstsArb, fc.nat(), async (bursts, destSeed) => {
        const t = setup([], { borrowed: { seed: destSeed } });
        let sent = '';
        let n = 0;
        for (const burst of bursts) {
          for (const size of burst) {
            const text = `${n++}:`.padEnd(size, String.fromCharCode(97 + (n % 26)));
            sent += text;
            t.source.write(text);
          }
          await settle();
        }
        t.source.end();
        for (let i = 0; i < 100 && !t.destEnded(); i++) await settle();
        expect(firstDifference(t.received(), sent)).toBe(undefined);
        expect(t.destEnded()).toBe(true);
      }),
      { seed, numRuns: 100, verbose: 1 },
    );
  }, 30_000);

  it('applies a toxic added while open to later bytes only', async () => {
    const t = setup();
    await t.write('before;');
    await t.addLive({ type: 'latency', attributes: { latency: 100 } });
    await t.write('after;');
    expect(t.received()).toBe('before;');
    await t.clock.advance(100);
    expect(t.received()).toBe('before;after;');
  });

  it('delivers held bytes at once, in order, when the toxic is removed', async () => {
    const t = setup([{ type: 'latency', attributes: { latency: 10_000 } }]);
    await t.write('one;');
    await t.clock.advance(10);
    await t.write('two;');
    await t.removeLive(t.chain[0]!);
    await t.write('three;');
    expect(t.received()).toBe('one;two;three;');
  });

  it('applies an update to data already held', async () => {
    const t = setup([{ type: 'latency', attributes: { latency: 10_000 } }]);
    await t.write('x');
    await t.updateLive(t.chain[0]!, { attributes: { latency: 20 } });
    await t.clock.advance(19);
    expect(t.received()).toBe('');
    await t.clock.advance(1);
    expect(t.received()).toBe('x');
  });

  it('drops data under timeout and closes the destination when the timeout is removed', async () => {
    const t = setup([{ type: 'timeout', attributes: { timeout: 0 } }]);
    await t.write('dropped');
    await t.clock.advance(60_000);
    expect(t.received()).toBe('');
    expect(t.destEnded()).toBe(false);
    await t.removeLive(t.chain[0]!);
    expect(t.destEnded()).toBe(true);
  });

  it('runs toxics in insertion order', async () => {
    // limit_data before slicer: the cut happens on the unsliced stream.
    const t = setup([
      { type: 'limit_data', attributes: { bytes: 7 } },
      { type: 'slicer', name: 's', attributes: { average_size: 2, size_variation: 0, delay: 0 } },
    ]);
    await t.write('abcdefghij');
    await t.clock.advance(1);
    expect(t.received()).toBe('abcdefg');
    expect(t.destEnded()).toBe(true);
  });

  const toxicArb = fc.oneof(
    fc.record({ type: fc.constant('latency'), attributes: fc.record({ latency: fc.nat(50), jitter: fc.nat(10) }) }),
    fc.record({ type: fc.constant('bandwidth'), attributes: fc.record({ rate: fc.integer({ min: 1, max: 50 }) }) }),
    fc.record({
      type: fc.constant('slicer'),
      attributes: fc.record({ average_size: fc.integer({ min: 1, max: 8 }), size_variation: fc.nat(3), delay: fc.nat(2000) }),
    }),
    fc.record({ type: fc.constant('noop'), attributes: fc.constant({}) }),
    fc.record({ type: fc.constant('slow_close'), attributes: fc.record({ delay: fc.nat(30) }) }),
  );
  const stepArb = fc.oneof(
    fc.record({ op: fc.constant('write' as const), text: fc.string({ minLength: 1, maxLength: 40 }) }),
    fc.record({ op: fc.constant('add' as const), toxic: toxicArb }),
    fc.record({ op: fc.constant('remove' as const), pick: fc.nat() }),
    fc.record({ op: fc.constant('update' as const), pick: fc.nat(), toxic: toxicArb }),
    fc.record({ op: fc.constant('tick' as const), ms: fc.nat(40) }),
  );

  it('never loses or reorders a byte across live add/update/remove (property)', async () => {
    const seed = Number(process.env.FC_SEED ?? Date.now() % 1_000_000);
    const readsArb = fc.option(fc.record({ seed: fc.nat() }), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { maxLength: 30 }), readsArb, async (steps, borrowed) => {
        const t = setup([], { borrowed });
        let sent = '';
        let n = 0;
        for (const step of steps) {
          if (step.op === 'write') {
            sent += step.text;
            await t.write(step.text);
          } else if (step.op === 'add') {
            await t.addLive({ ...step.toxic, name: `t${n++}` });
          } else if (step.op === 'tick') {
            await t.clock.advance(step.ms);
          } else if (t.chain.length > 0) {
            const target = t.chain[step.pick % t.chain.length]!;
            if (step.op === 'remove') await t.removeLive(target);
            else if (target.type === step.toxic.type) await t.updateLive(target, { attributes: step.toxic.attributes });
          }
        }
        t.source.end();
        await settle();
        for (let i = 0; i < 200 && !t.destEnded(); i++) await t.clock.advance(1000);
        expect(t.received()).toBe(sent);
        expect(t.destEnded()).toBe(true);
      }),
      { seed, numRuns: 150, verbose: 1 },
    );
  }, 30_000);
});
