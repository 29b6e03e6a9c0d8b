// The 6.824 subtleties, one scenario each, on the simulation engine
// (SimCluster: the design's definition, its nodes on the in-memory network,
// virtual time), where the timing is exact: an old primary cut off from the
// view server (TestPartition1 and 2), a paused primary waking up, a forward
// applied by a backup just before it was promoted, and a restarted backup
// named primary before the view server noticed the restart. Faults, clients
// and time are the harness's (cluster.cut/kill/pause, Session clients,
// cluster.clock); the few faults only a simulator can give exactly (one
// direction of one link, one message) go to the cluster's network, and so do
// the looks at a node's state.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { cas, read, Session, startSim, stopClusters, write } from '../../harness/engine/testkit.ts';
import type { SimCluster } from '../../harness/sim/simCluster.ts';
import type { ViewServerReplica } from './server.ts';
import { staleRead } from './testkit.ts';
import type { ViewService } from './viewservice.ts';

const SYSTEM_JSON = join(fileURLToPath(new URL('.', import.meta.url)), 'system.json');

afterEach(stopClusters);

const view = (c: SimCluster) => c.net.node<ViewService>('vs').view;

/** A cluster at view 2 = (p, [b]) with the third server o idle, and a = 1 written. */
async function ready(): Promise<{ c: SimCluster; s: Session; p: string; b: string; o: string }> {
  const c = await startSim(SYSTEM_JSON);
  await c.clock.sleep(1500);
  const { viewnum, primary, backups } = view(c);
  expect({ viewnum, backups: backups.length }).toEqual({ viewnum: 2, backups: 1 });
  const s = new Session(c);
  expect(await s.client('c1').run(write('a', 1))).toMatchObject({ type: 'ok' });
  const [p, b] = [primary!, backups[0]];
  return { c, s, p, b, o: ['s1', 's2', 's3'].find((x) => x !== p && x !== b)! };
}

describe('view-server scenarios (simulation)', () => {
  it('an old primary cut off from the view server does not serve a stale read (TestPartition1)', async () => {
    const { c, s, p, b, o } = await ready();
    await c.cut([[p, 'vs']], 'drop');
    await c.clock.sleep(1500);
    expect(view(c)).toMatchObject({ primary: b });
    expect(await s.client('c2').run(write('a', 2))).toMatchObject({ type: 'ok' });
    // the primary still believes it is primary; its read must go through s2, which refuses it.
    expect(c.net.node<ViewServerReplica>(p).view.primary).toBe(p);
    const outcome = await staleRead(c, p, 'a', 2000);
    expect(outcome === null || outcome.type === 'error').toBe(true);
    // A coordinator whose cache still names the primary ends up with the new value.
    expect(await s.client('c1').run(read('a'))).toEqual({ type: 'ok', value: 2 });
    expect((await s.verdict()).valid).toBe(true);
  });

  it('an old primary cut off from everyone but clients answers nothing, never stale data (TestPartition2)', async () => {
    const { c, s, p, b, o } = await ready();
    await c.cut([[p, 'vs'], [p, b], [p, o]], 'drop');
    await c.clock.sleep(1500);
    expect(await s.client('c2').run(write('a', 2))).toMatchObject({ type: 'ok' });
    const outcome = await staleRead(c, p, 'a', 2000);
    expect(outcome?.type === 'read_ok').toBe(false);
  });

  it('a paused primary that wakes up cannot serve the old state', async () => {
    const { c, s, p, b, o } = await ready();
    await c.pause(p);
    await c.clock.sleep(1500);
    expect(view(c)).toMatchObject({ primary: b });
    expect(await s.client('c2').run(write('a', 2))).toMatchObject({ type: 'ok' });
    await c.resume(p);
    // What queued up for the primary is delivered and its late timers fire; ask it at once.
    const outcome = await staleRead(c, p, 'a', 2000);
    expect(outcome?.type === 'read_ok' && outcome.value === 1).toBe(false);
    expect(await s.client('c1').run(read('a'))).toEqual({ type: 'ok', value: 2 });
    expect((await s.verdict()).valid).toBe(true);
  });

  it('keeps a write the old primary committed through the backup after losing the view server', async () => {
    const { c, s, p, b, o } = await ready();
    await c.cut([[p, 'vs']], 'drop');
    // Before the view server gives up on s1, the primary still commits through s2.
    expect(await s.client('c1').run(write('a', 5))).toMatchObject({ type: 'ok' });
    await c.clock.sleep(1500);
    expect(view(c)).toMatchObject({ primary: b });
    expect(await s.client('c2').run(read('a'))).toEqual({ type: 'ok', value: 5 });
  });

  it('a restarted backup named primary before the restart was noticed refuses to serve', async () => {
    const { c, s, p, b, o } = await ready();
    // the primary dies; the backup restarts just before the view server gives up on s1, and its first pings
    // (which would say 0: restarted) are lost, so the service promotes the backup on the strength of
    // the old incarnation's pings.
    await c.kill(p);
    await c.clock.sleep(300);
    c.net.drop(b, 'vs', 1);
    await c.kill(b);
    await c.restart(b);
    await c.clock.sleep(300);
    expect(view(c)).toMatchObject({ primary: b });
    await c.healNetwork();
    await c.clock.sleep(1000);
    expect(c.net.node<ViewServerReplica>(b).readyView).toBe(0);
    // Unavailable, not wrong: no read may claim that a is missing.
    expect(await s.client('c1').run(read('a'))).toEqual({ type: 'fail', error: 'temporarily-unavailable' });
  });

  // Found while sharpening the randomized safety test (a restart of the first view's primary):
  // the first view trusts its primary without any state transfer, so a restarted incarnation that
  // was told "you are primary of view 1" served its empty state and lost acknowledged writes.
  /** View 1 = (s1, no backup): s2 and s3 cannot reach the view server while it forms. */
  async function firstViewAlone(hook?: SimCluster['net']['hook']): Promise<{ c: SimCluster; s: Session }> {
    const c = await startSim(SYSTEM_JSON);
    await c.cut([['s2', 'vs'], ['s3', 'vs']], 'drop');
    if (hook) c.net.hook = hook;
    await c.clock.sleep(1500);
    expect(view(c)).toMatchObject({ viewnum: 1, primary: 's1', backups: [] });
    return { c, s: new Session(c) };
  }

  it('a restarted primary of the first view does not serve its empty state', async () => {
    const { c, s } = await firstViewAlone();
    expect(await s.client('c1').run(write('a', 1))).toMatchObject({ type: 'ok' });
    await c.kill('s1');
    await c.restart('s1');
    await c.clock.sleep(1000);
    expect(c.net.node<ViewServerReplica>('s1').readyView).toBe(0);
    // Unavailable, not wrong: no read may claim that a is missing.
    expect(await s.client('c1').run(read('a'))).toEqual({ type: 'fail', error: 'temporarily-unavailable' });
  });

  it('a first-view primary that restarted before its acknowledgement reached the view server does not serve', async () => {
    // s1 is crowned and serves, but none of its acknowledgements (pings with 1) get through.
    const { c, s } = await firstViewAlone((m) => !(m.from === 's1' && m.to === 'vs' && m.body.type === 'ping' && m.body.viewnum === 1));
    expect(c.net.node<ViewService>('vs').acked).toBe(false);
    expect(await s.client('c1').run(write('a', 1))).toMatchObject({ type: 'ok' });
    await c.kill('s1');
    await c.restart('s1'); // pings 0 again, as it did before it was crowned: only its incarnation differs
    await c.clock.sleep(1000);
    expect(c.net.node<ViewServerReplica>('s1').readyView).toBe(0);
    expect(await s.client('c1').run(read('a'))).toEqual({ type: 'fail', error: 'temporarily-unavailable' });
  });

  it('answers a resent cas from the duplicate table when the first answer was lost', async () => {
    const { c, s, p, b, o } = await ready();
    // The primary's answer to c1's first attempt is lost; c1 resends the same (client, seq).
    let dropped = 0;
    c.net.hook = (m) => !(m.from === p && m.to === 'c1' && m.body.type === 'kv_reply' && dropped++ === 0);
    expect(await s.client('c1').run(cas('a', 1, 2))).toMatchObject({ type: 'ok' });
    expect(dropped).toBeGreaterThan(1);
    expect(await s.client('c2').run(read('a'))).toEqual({ type: 'ok', value: 2 });
    expect((await s.verdict()).valid).toBe(true);
  });

  it('makes progress when every link has 300 ms of latency (late answers still count)', async () => {
    const { c, s, p, b, o } = await ready();
    await c.addLatency(c.nodeLinks(), 300, 100);
    for (let i = 2; i < 5; i++) {
      expect(await s.client('c1').run(write('a', i), 8000)).toMatchObject({ type: 'ok' });
      expect(await s.client('c2').run(read('a'), 8000)).toEqual({ type: 'ok', value: i });
    }
    expect((await s.verdict()).valid).toBe(true);
  });

  it('resends a forward whose acknowledgement was lost; the backup applies it once', async () => {
    const { c, s, p, b, o } = await ready();
    // The backup applies the cas, but its acknowledgements are lost for a while.
    c.net.drop(b, p, 1);
    const pending = s.client('c1').run(cas('a', 1, 2), 8000);
    await c.clock.sleep(500);
    await c.healNetwork();
    expect(await pending).toMatchObject({ type: 'ok' });
    expect(view(c).backups).toEqual([b]); // not long enough to be reported unreachable
    expect(await s.client('c2').run(read('a'))).toEqual({ type: 'ok', value: 2 });
    expect(await s.client('c2').run(cas('a', 1, 3))).toEqual({ type: 'fail', error: 'precondition-failed' });
    expect((await s.verdict()).valid).toBe(true);
  });

  it('replaces a backup the primary cannot reach though both reach the view server (bridge)', async () => {
    const { c, s, p, b, o } = await ready();
    await c.cut([[p, b]], 'drop');
    expect((await s.client('c1').run(write('a', 2), 6000)).type).not.toBe('fail');
    await c.clock.sleep(2000);
    expect(view(c)).toMatchObject({ primary: p, backups: [o] });
    expect(await s.client('c1').run(write('a', 3))).toMatchObject({ type: 'ok' });
    expect(await s.client('c2').run(read('a'))).toEqual({ type: 'ok', value: 3 });
    // the backup stays out while shunned, and the pair s1/s3 keeps serving.
    await c.clock.sleep(1000);
    expect(view(c).backups).toEqual([o]);
    expect((await s.verdict()).valid).toBe(true);
  });

  it('skips an unacknowledged view when the new backup is unreachable too, keeping its primary', async () => {
    const { c, s, p, b, o } = await ready();
    await c.cut([[p, b], [p, o]], 'drop'); // the primary reaches the view server and the coordinators only
    // Traffic shows the primary that its backup is gone; the write itself completes once the primary serves alone.
    expect(await s.client('c1').run(write('a', 2))).toMatchObject({ type: 'ok' });
    expect(view(c)).toMatchObject({ primary: p, backups: [] });
    expect(await s.client('c1').run(read('a'))).toEqual({ type: 'ok', value: 2 });
    expect(await s.client('c2').run(write('a', 4))).toMatchObject({ type: 'ok' });
    expect((await s.verdict()).valid).toBe(true);
  });
});
