import { describe, expect, it } from 'vitest';
import type { Env, Node } from './env.ts';
import { SimNetwork } from './simnet.ts';

/** Echoes every message back, and counts ticks of a 100 ms timer. */
class Echo implements Node {
  ticks = 0;
  constructor(private readonly env: Env) {
    const tick = () => {
      this.ticks++;
      env.setTimer(100, tick);
    };
    env.setTimer(100, tick);
  }
  receive(from: string, body: { type: string }): void {
    this.env.send(from, { type: `${body.type}_ok`, r: this.env.random() });
  }
}

function net(seed: number) {
  const n = new SimNetwork({ seed, reorder: true });
  n.add('a', [], (env) => new Echo(env));
  return n;
}

describe('in-memory network', () => {
  it('replays exactly from a seed', () => {
    const run = (seed: number) => {
      const n = net(seed);
      for (let i = 0; i < 5; i++) n.send('client', 'a', { type: `m${i}` });
      n.stabilize();
      return JSON.stringify(n.take('client'));
    };
    expect(run(7)).toBe(run(7));
    expect(run(7)).not.toBe(run(8));
  });

  it('moves a virtual clock that fires timers in order', () => {
    const n = net(1);
    n.advance(1050);
    expect(n.node<Echo>('a').ticks).toBe(10);
    expect(n.now).toBe(1050);
  });

  it('drops on cut, delays with latency, holds for a paused node, forgets on crash', () => {
    const n = net(1);
    n.cut('client', 'a');
    n.send('client', 'a', { type: 'x' });
    n.stabilize();
    expect(n.take('client')).toEqual([]);
    n.heal();
    n.latency('client', 'a', 200);
    n.send('client', 'a', { type: 'slow' });
    n.advance(150);
    expect(n.take('client')).toEqual([]);
    n.advance(100);
    expect(n.take('client')).toMatchObject([{ type: 'slow_ok' }]);
    n.heal();
    n.pause('a');
    n.send('client', 'a', { type: 'held' });
    n.advance(500);
    expect(n.take('client')).toEqual([]);
    const ticks = n.node<Echo>('a').ticks;
    n.resume('a');
    n.advance(1);
    expect(n.take('client')).toMatchObject([{ type: 'held_ok' }]);
    expect(n.node<Echo>('a').ticks).toBe(ticks + 1); // late timers fire once, like a woken process
    n.crash('a');
    n.send('client', 'a', { type: 'lost' });
    n.advance(100);
    expect(n.take('client')).toEqual([]);
    n.restart('a');
    expect(n.node<Echo>('a').ticks).toBe(0);
  });
});

describe('timers', () => {
  it('cancels and fires by id across thousands of timers, with a long one held at the front', () => {
    const n = new SimNetwork({ seed: 1 });
    const fired: number[] = [];
    let env!: Env;
    n.add('a', [], (e) => {
      env = e;
      return { receive: () => {} };
    });
    let long = false;
    env.setTimer(100_000, () => (long = true));
    const ids: number[] = [];
    for (let i = 0; i < 5000; i++) ids.push(env.setTimer(10 + (i % 50), () => fired.push(i)));
    // Cancel every third one, some before and some after others fired.
    for (let i = 0; i < 5000; i += 3) env.cancelTimer(ids[i]);
    n.advance(30);
    for (let i = 1; i < 5000; i += 3) env.cancelTimer(ids[i]);
    // Timers outside the nodes share the ids; cancelling one of theirs from a node does nothing.
    const outside = n.schedule(5, () => fired.push(-1));
    env.cancelTimer(outside);
    n.advance(100);
    const expected = Array.from({ length: 5000 }, (_, i) => i)
      .filter((i) => i % 3 === 2 || (i % 3 === 1 && 10 + (i % 50) <= 30))
      .sort((x, y) => (10 + (x % 50)) - (10 + (y % 50)) || x - y);
    expected.splice(expected.findIndex((i) => 10 + (i % 50) > 35), 0, -1);
    expect(fired).toEqual(expected);
    // Many more after the front ones are gone, while the long one is still held.
    const later: number[] = [];
    for (let i = 0; i < 3000; i++) env.setTimer(1, () => later.push(i));
    env.cancelTimer(ids[2]); // fired long ago: nothing to cancel
    n.advance(1);
    expect(later).toHaveLength(3000);
    expect(long).toBe(false);
    n.advance(100_000);
    expect(long).toBe(true);
  });
});

describe('timers after a long one at the front', () => {
  it('keeps the later ones cancellable and firing once the front one goes', () => {
    const n = new SimNetwork({ seed: 1 });
    let env!: Env;
    n.add('a', [], (e) => {
      env = e;
      return { receive: () => {} };
    });
    const fired: string[] = [];
    env.setTimer(50, () => fired.push('front'));
    for (let i = 0; i < 3000; i++) env.setTimer(1, () => {});
    n.advance(1);
    const kept = env.setTimer(100, () => fired.push('kept'));
    const cancelled = env.setTimer(100, () => fired.push('cancelled'));
    n.advance(60); // the front one fires: the table's window moves down past 3,000 empty slots
    env.cancelTimer(cancelled);
    const next = env.setTimer(10, () => fired.push('next'));
    n.advance(20);
    env.cancelTimer(next); // already fired
    n.advance(100);
    expect(fired).toEqual(['front', 'next', 'kept']);
  });
});
