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
