// The view service on the in-memory network: the servers are the test, pinging
// by hand, and the clock moves only when the test says so. Cases follow 6.824
// lab 2's test_test.go.
import { describe, expect, it } from 'vitest';
import { SimNetwork } from '../runtime/simnet.ts';
import { DEAD_PINGS, NO_VIEW, PING_INTERVAL_MS, SHUN_TICKS, STARTUP_TICKS, type View } from './config.ts';
import { ViewService } from './viewservice.ts';

function start(backups = 1): SimNetwork {
  const net = new SimNetwork({ seed: 1 });
  net.add('vs', [], (env) => new ViewService(env, { backups }));
  return net;
}

/** One ping from `server` with `viewnum`; returns the view in the reply. */
function ping(net: SimNetwork, server: string, viewnum: number, unreachable: string[] = []): View {
  net.send(server, 'vs', { type: 'ping', msg_id: 1, viewnum, unreachable });
  net.stabilize();
  const reply = net.take(server).at(-1)!;
  return { viewnum: reply.viewnum as number, primary: reply.primary as string | null, backups: reply.backups as string[] };
}

/**
 * Runs `ticks` ping intervals. In each, every server in `pings` pings: with a
 * fixed number, or with the view number it last got back ("ack"), which is
 * what a healthy server does. Returns the last view seen.
 */
const heldViews = new WeakMap<SimNetwork, Map<string, number>>();
function run(net: SimNetwork, ticks: number, pings: Record<string, number | 'ack'>): View {
  const held = heldViews.get(net) ?? new Map<string, number>();
  heldViews.set(net, held);
  let last: View = NO_VIEW;
  for (let i = 0; i < ticks; i++) {
    for (const [server, how] of Object.entries(pings)) {
      const v = ping(net, server, how === 'ack' ? (held.get(server) ?? 0) : how);
      held.set(server, v.viewnum);
      last = v;
    }
    net.advance(PING_INTERVAL_MS);
  }
  return last;
}

const view = (viewnum: number, primary: string | null, backup: string | null): View => ({ viewnum, primary, backups: backup === null ? [] : [backup] });

/** A service at view 2 = (s1, s2), acknowledged. */
function twoServers(): SimNetwork {
  const net = start();
  run(net, STARTUP_TICKS + 1, { s1: 'ack' });
  run(net, 3, { s1: 'ack', s2: 'ack' });
  expect(ping(net, 's1', 2)).toEqual(view(2, 's1', 's2'));
  return net;
}

describe('view service', () => {
  it('makes the first server that pings primary of view 1, after its start-up wait', () => {
    const net = start();
    expect(ping(net, 's1', 0)).toEqual(view(0, null, null));
    net.advance(PING_INTERVAL_MS * STARTUP_TICKS);
    expect(ping(net, 's1', 0)).toEqual(view(1, 's1', null));
  });

  it('makes the next server backup once the primary has acknowledged', () => {
    const net = start();
    run(net, STARTUP_TICKS + 1, { s1: 'ack' });
    expect(ping(net, 's1', 1)).toEqual(view(1, 's1', null));
    expect(ping(net, 's2', 0)).toEqual(view(2, 's1', 's2'));
  });

  it('promotes the backup when the primary stops pinging for DeadPings intervals', () => {
    const net = twoServers();
    expect(run(net, DEAD_PINGS - 1, { s2: 2 })).toEqual(view(2, 's1', 's2'));
    expect(run(net, 2, { s2: 2 })).toEqual(view(3, 's2', null));
  });

  it('makes a restarted server backup', () => {
    const net = twoServers();
    run(net, DEAD_PINGS + 1, { s2: 'ack' });
    expect(ping(net, 's2', 3)).toEqual(view(3, 's2', null));
    expect(run(net, 2, { s1: 0, s2: 'ack' })).toEqual(view(4, 's2', 's1'));
  });

  it('promotes the backup and makes an idle third server backup in the same change', () => {
    const net = twoServers();
    run(net, 2, { s1: 'ack', s2: 'ack', s3: 0 });
    expect(ping(net, 's3', 0)).toEqual(view(2, 's1', 's2'));
    expect(run(net, DEAD_PINGS + 1, { s2: 'ack', s3: 0 })).toEqual(view(3, 's2', 's3'));
  });

  it('treats a restarted primary (Ping(0) after acknowledging) as dead', () => {
    const net = twoServers();
    ping(net, 's1', 0);
    net.advance(PING_INTERVAL_MS);
    const v = ping(net, 's2', 2);
    expect(v.viewnum).toBe(3);
    expect(v.primary).toBe('s2');
    expect(v.backups).not.toContain('s2');
  });

  it('removes a dead backup when no idle server can replace it', () => {
    const net = twoServers();
    expect(run(net, DEAD_PINGS + 1, { s1: 'ack' })).toEqual(view(3, 's1', null));
  });

  it('replaces a restarted backup', () => {
    const net = twoServers();
    ping(net, 's2', 0);
    net.advance(PING_INTERVAL_MS);
    expect(ping(net, 's1', 2)).toEqual(view(3, 's1', null));
    expect(run(net, 2, { s1: 'ack', s2: 'ack' })).toEqual(view(4, 's1', 's2'));
  });

  it('does not move past a view its primary has not acknowledged', () => {
    const net = twoServers();
    // s2 dies; view 3 = (s1, -) is formed, but s1 never acknowledges it.
    expect(run(net, DEAD_PINGS + 1, { s1: 2 })).toEqual(view(3, 's1', null));
    // s3 appears (would become backup), then s1 dies: nothing may change.
    expect(run(net, 3, { s1: 2, s3: 0 })).toEqual(view(3, 's1', null));
    expect(run(net, DEAD_PINGS * 2, { s3: 0 })).toEqual(view(3, 's1', null));
    // Once s1 acknowledges (it is alive again), the service moves on at once.
    expect(ping(net, 's1', 3)).toEqual(view(4, 's1', 's3'));
  });

  it('never makes an uninitialised server primary', () => {
    const net = start();
    run(net, STARTUP_TICKS + 1, { s1: 'ack' });
    expect(ping(net, 's1', 1)).toEqual(view(1, 's1', null));
    // The only primary dies with no backup; then a fresh server pings for a long time.
    net.advance(PING_INTERVAL_MS * (DEAD_PINGS + 1));
    expect(run(net, DEAD_PINGS * 4, { s2: 0 })).toEqual(view(1, 's1', null));
  });

  it('does not promote a backup that restarted before the primary died', () => {
    const net = twoServers();
    ping(net, 's2', 0); // s2 restarted: empty
    expect(run(net, DEAD_PINGS + 1, { s2: 0 }).primary).not.toBe('s2');
  });

  it('keeps the view when primary and backup die together, so the primary can resume', () => {
    const net = twoServers();
    run(net, 1, { s1: 2, s2: 2 }); // last heard from both in the same interval
    expect(run(net, DEAD_PINGS + 2, { s3: 0 })).toEqual(view(2, 's1', 's2'));
    // s1 comes back (it was cut off, not restarted) and the pair carries on; s2 is replaced.
    expect(run(net, 2, { s1: 2, s3: 0 })).toEqual(view(3, 's1', 's3'));
  });

  it('replaces a backup its primary reports unreachable, and does not pick it again for a while', () => {
    const net = twoServers();
    run(net, 2, { s1: 'ack', s2: 'ack', s3: 0 });
    expect(ping(net, 's1', 2, ['s2'])).toEqual(view(3, 's1', 's3'));
    // s3 cannot be reached either: view 3 is not acknowledged (no transfer), yet it is replaced,
    // keeping its primary; s2 is still shunned, so s1 goes on alone.
    expect(ping(net, 's1', 2, ['s3'])).toEqual(view(4, 's1', null));
    expect(run(net, 5, { s1: 'ack', s2: 'ack', s3: 'ack' })).toEqual(view(4, 's1', null));
    // The shun ends: a backup is chosen again.
    expect(run(net, SHUN_TICKS, { s1: 'ack', s2: 'ack', s3: 'ack' }).backups).toHaveLength(1);
  });

  it('ignores unreachable reports from anyone but the primary', () => {
    const net = twoServers();
    run(net, 2, { s1: 'ack', s2: 'ack', s3: 0 });
    expect(ping(net, 's3', 0, ['s2'])).toEqual(view(2, 's1', 's2'));
    expect(ping(net, 's2', 2, ['s2'])).toEqual(view(2, 's1', 's2'));
  });

  it('with two backups, fills both, and promotes the backup heard from last when the primary dies', () => {
    const net = start(2);
    run(net, STARTUP_TICKS + 1, { s1: 'ack' });
    run(net, 4, { s1: 'ack', s2: 'ack', s3: 'ack' });
    expect(ping(net, 's3', 3)).toEqual({ viewnum: 3, primary: 's1', backups: ['s2', 's3'] });
    expect(net.node<ViewService>('vs').acked).toBe(true);
    // s1 and s2 die together, but s2's last ping comes a tick after s1's: when s1 is judged dead,
    // s2 still counts as alive. Promoting it would hold the service in a view no one acknowledges.
    run(net, 1, { s2: 'ack', s3: 'ack' });
    let next = ping(net, 's3', 3);
    for (let i = 0; i < DEAD_PINGS + 2 && next.viewnum === 3; i++) next = run(net, 1, { s3: 'ack' });
    expect(next).toEqual({ viewnum: 4, primary: 's3', backups: ['s2'] });
    // s2 is judged dead a tick later, once s3 has acknowledged view 4: it goes.
    expect(run(net, 3, { s3: 'ack' })).toEqual({ viewnum: 5, primary: 's3', backups: [] });
  });

  it('answers the harness with the primary (primary_ok)', () => {
    const net = twoServers();
    net.send('harness', 'vs', { type: 'primary', msg_id: 7 });
    net.stabilize();
    expect(net.take('harness')).toEqual([{ type: 'primary_ok', in_reply_to: 7, primary: 's1', backup: 's2', backups: ['s2'], view: 2 }]);
  });

  it('refuses to form views when it restarted under a live cluster', () => {
    const net = start();
    ping(net, 's2', 0);
    ping(net, 's1', 7); // s1 holds view 7 from an earlier incarnation of the service
    expect(run(net, STARTUP_TICKS * 3, { s1: 7, s2: 0 })).toEqual(view(0, null, null));
    expect(net.node<ViewService>('vs').wedged).toBe(true);
  });
});
