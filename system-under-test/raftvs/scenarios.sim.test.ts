// The consensus-replicated view service, one fault at a time, on the
// simulation engine (SimCluster: the design's definition, virtual time),
// where timing is exact: its leader killed and restarted (with its disk),
// isolated, cut from the other replicas only, paused; a partition leaving a
// majority with a server and a client node; and the loss of a replica and a
// server together. Under each, clients run (the harness's Session) and the
// history is judged by the real checker, and the operations that must
// succeed (the design's availability claims) do, within virtual-time bounds.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { read, Session, startSim, stopClusters, write } from '../../harness/engine/testkit.ts';
import { loadSystem } from '../../harness/system/definition.ts';
import type { SimCluster } from '../../harness/sim/simCluster.ts';
import { seededRandom } from '../runtime/simnet.ts';
import { NO_VIEW, type View } from '../viewserver/config.ts';
import { VIEW_SERVICE_REPLICAS } from './config.ts';
import type { RaftViewService } from './replica.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const SERVERS = ['s1', 's2', 's3'];

afterEach(stopClusters);

const replica = (c: SimCluster, id: string) => c.net.node<RaftViewService>(id);
const running = (c: SimCluster) => VIEW_SERVICE_REPLICAS.filter((v) => c.net.alive(v)).map((v) => ({ id: v, r: replica(c, v) }));
/** The replica that leads now (the highest term among those that think so), if any. */
const leaderOf = (c: SimCluster) => running(c).filter((x) => x.r.isLeader).sort((a, b) => b.r.term - a.r.term)[0]?.id ?? null;
/** The newest committed view any running replica has applied. */
const currentView = (c: SimCluster): View => running(c).reduce<View>((best, x) => (x.r.view.viewnum > best.viewnum ? x.r.view : best), NO_VIEW);
const views = (c: SimCluster, ids: readonly string[] = VIEW_SERVICE_REPLICAS) => ids.map((id) => replica(c, id).view);

/** An election, then a new leader's dead interval, before the first view. */
const WARMUP_MS = 3000;

async function boot(): Promise<{ c: SimCluster; s: Session }> {
  const c = await startSim(join(here, 'system.json'));
  await c.clock.sleep(WARMUP_MS);
  return { c, s: new Session(c) };
}

/** A cluster at view 2 = (p, [b]) on every replica, with a = 1 written. */
async function ready(): Promise<{ c: SimCluster; s: Session; p: string; b: string }> {
  const { c, s } = await boot();
  const v = views(c);
  for (const x of v) expect(x).toEqual(v[0]);
  expect(v[0]).toMatchObject({ viewnum: 2 });
  expect(v[0].backups).toHaveLength(1);
  expect(await s.client('c1').run(write('a', 1))).toMatchObject({ type: 'ok' });
  return { c, s, p: v[0].primary!, b: v[0].backups[0] };
}

/** Runs clients for `ms` of virtual time, calling `fault` once at `faultAt`; linearizability is the caller's to assert. */
async function underLoad(c: SimCluster, s: Session, ms: number, fault: () => Promise<void> | void, faultAt = 500): Promise<void> {
  let stop = false;
  const values = { next: 100 };
  const random = seededRandom(3);
  const load = Promise.all(['c1', 'c1', 'c2', 'c2'].map((id) => s.loop(s.client(id), ['a', 'b'], () => stop, values, random)));
  await c.clock.sleep(faultAt);
  await fault();
  await c.clock.sleep(ms - faultAt);
  stop = true;
  await load;
}

async function linearizable(s: Session): Promise<void> {
  const verdict = await s.verdict();
  expect(verdict.valid, verdict.explanation).toBe(true);
  expect(s.stats.ok).toBeGreaterThan(20);
}

/** Writes through `coordinator` until one succeeds; returns the virtual ms it took (null: none within maxMs). */
async function firstWrite(c: SimCluster, s: Session, coordinator: string, value: number, maxMs = 10_000): Promise<number | null> {
  const t0 = c.clock.now();
  const client = s.client(coordinator);
  while (c.clock.now() - t0 < maxMs) if ((await client.run(write('a', value), 3000)).type === 'ok') return c.clock.now() - t0;
  return null;
}

const other = (...not: string[]) => SERVERS.find((x) => !not.includes(x))!;

/** raftvs's definition with other settings for its nodes (as their commands would pass them). */
const variant = async (args: string[]) => {
  const def = loadSystem(join(here, 'system.json'));
  return { ...def, simulation: { ...def.simulation!, args } };
};

describe('raftvs: the replicated view service (simulation)', () => {
  it('agrees on the views from a cold start: every replica applied the same ones, the harness can ask a coordinator', async () => {
    const { c, p, b } = await ready();
    expect(VIEW_SERVICE_REPLICAS.filter((id) => replica(c, id).isLeader)).toHaveLength(1);
    for (const id of VIEW_SERVICE_REPLICAS) expect(replica(c, id).acked).toBe(true);
    expect(await c.primary()).toBe(p);
    expect((await c.ask('c1', { type: 'primary' }, 2000))).toMatchObject({ kind: 'reply', body: { type: 'primary_ok', primary: p, backup: b, view: 2 } });
    // A follower answers queries from its committed state and names the leader.
    const follower = VIEW_SERVICE_REPLICAS.find((id) => !replica(c, id).isLeader)!;
    expect(await c.ask(follower, { type: 'primary' }, 2000)).toMatchObject({ kind: 'reply', body: { primary: p, view: 2, leader: leaderOf(c) } });
  });

  it('loses its leader (killed, restarted with its disk): a new one is elected, operations go on, the old one reloads and catches up', async () => {
    const { c, s, p, b } = await ready();
    const old = leaderOf(c)!;
    await underLoad(c, s, 6000, () => c.kill(old));
    expect(leaderOf(c)).not.toBe(old);
    // A view change still happens without it: the primary dies too.
    await c.kill(p);
    expect(await firstWrite(c, s, 'c2', 50)).not.toBeNull();
    const decided = currentView(c);
    expect(decided).toMatchObject({ viewnum: 3, primary: b });
    await c.restart(old);
    await c.clock.sleep(1000);
    expect(c.net.logs.some((l) => l.includes(`[${old}] restored term`))).toBe(true);
    expect(replica(c, old).view).toEqual(decided);
    await linearizable(s);
  });

  it('loses its leader and the primary at once: the new leader waits a dead interval, promotes the backup, and writes resume', async () => {
    const { c, s, p, b } = await ready();
    await c.kill(leaderOf(c)!);
    await c.kill(p);
    const took = await firstWrite(c, s, 'c1', 2);
    // An election (0.5 to 1 s), the new leader's dead interval (0.6 s), the view change and the
    // coordinator's retries: a few seconds of virtual time, not more.
    expect(took).not.toBeNull();
    expect(took!).toBeLessThan(6000);
    expect(currentView(c)).toMatchObject({ primary: b, backups: [other(p, b)] });
    expect(await s.client('c2').run(read('a'))).toEqual({ type: 'ok', value: 2 });
  });

  it('an isolated leader steps down, the servers find the new leader, and a view change happens without it', async () => {
    const { c, s, p, b } = await ready();
    const old = leaderOf(c)!;
    await underLoad(c, s, 8000, async () => {
      await c.cut(c.nodeIds().filter((n) => n !== old).map((n): [string, string] => [old, n]), 'drop');
      await c.kill(p);
    });
    expect(replica(c, old).isLeader).toBe(false);
    const decided = currentView(c);
    expect(decided).toMatchObject({ primary: b });
    expect(replica(c, old).view.viewnum).toBeLessThan(decided.viewnum); // it heard nothing of it
    await c.healNetwork();
    await c.clock.sleep(1500);
    expect(replica(c, old).view).toEqual(currentView(c));
    await linearizable(s);
  });

  it('a leader cut from the other replicas but not from the servers commits nothing, and the majority decides', async () => {
    const { c, s, p, b } = await ready();
    const old = leaderOf(c)!;
    const rest = VIEW_SERVICE_REPLICAS.filter((id) => id !== old);
    await underLoad(c, s, 8000, async () => {
      await c.cut(rest.map((r): [string, string] => [old, r]), 'drop');
      await c.kill(p); // the servers keep pinging the old leader at first
    });
    const decided = replica(c, rest[0]).view;
    expect(decided).toMatchObject({ primary: b });
    expect(replica(c, rest[1]).view).toEqual(decided);
    expect(replica(c, old).view.viewnum).toBeLessThan(decided.viewnum);
    await linearizable(s);
  });

  it('a paused leader wakes up after a view change and follows', async () => {
    const { c, s, p, b } = await ready();
    const old = leaderOf(c)!;
    await underLoad(c, s, 8000, async () => {
      await c.pause(old);
      await c.kill(p);
    });
    await c.resume(old);
    await c.clock.sleep(1500);
    expect(replica(c, old).view).toEqual(currentView(c));
    expect(currentView(c)).toMatchObject({ primary: b });
    await linearizable(s);
  });

  it('a partition leaving a majority with a server and a client node keeps serving there; the minority serves nothing stale', async () => {
    const { c, s, p, b } = await ready();
    const old = leaderOf(c)!;
    const minority = [old, p, 'c1'];
    const majority = [...VIEW_SERVICE_REPLICAS.filter((id) => id !== old), b, other(p, b), 'c2'];
    await underLoad(c, s, 8000, async () => void (await c.cut(minority.flatMap((x) => majority.map((y): [string, string] => [x, y])), 'drop')));
    expect(currentView(c)).toMatchObject({ primary: b });
    expect(await firstWrite(c, s, 'c2', 60, 3000)).not.toBeNull();
    await linearizable(s);
  });

  /**
   * View 3 is committed by the leader and one follower while the other lags; then that follower
   * restarts and the leader dies. Only the restarted follower's disk still holds view 3.
   */
  async function committedViewAtRisk(args: string[] = []) {
    const c = await startSim(await variant(args));
    await c.clock.sleep(WARMUP_MS);
    const s = new Session(c);
    const { primary: p, backups } = currentView(c);
    const b = backups[0];
    const leader = leaderOf(c)!;
    const [f1, f2] = VIEW_SERVICE_REPLICAS.filter((id) => id !== leader);
    await c.cut([[f2, leader], [f2, f1]], 'drop');
    await c.kill(p!);
    await c.clock.sleep(1500);
    expect(replica(c, f1).view).toMatchObject({ viewnum: 3, primary: b });
    expect(replica(c, f2).view.viewnum).toBe(2);
    await c.kill(f1);
    await c.restart(f1);
    await c.kill(leader);
    await c.healNetwork();
    await c.clock.sleep(3000);
    return { c, s, f1, f2, p: p!, b };
  }

  it('keeps a committed view through the restart of a replica that acknowledged it and the loss of the leader (its disk)', async () => {
    const { c, s, f1, f2, p, b } = await committedViewAtRisk();
    expect(replica(c, f2).view).toMatchObject({ viewnum: 3, primary: b });
    expect([f1, f2]).toContain(leaderOf(c));
    // And the two survivors still decide: the new primary dies, the third server takes over.
    await c.kill(b);
    expect(await firstWrite(c, s, 'c1', 9)).not.toBeNull();
    expect(replica(c, f1).view).toMatchObject({ viewnum: 4, primary: other(p, b) });
  });

  it('(planted forgetfulDisk) without its disk the restarted replica lets the service lose that view', async () => {
    const { c, f2 } = await committedViewAtRisk(['--plant', 'forgetfulDisk']);
    // The service fell back to view 2, which servers holding view 3 expose: it wedges rather than reuse the number.
    expect(replica(c, f2).view.viewnum).toBe(2);
    expect(c.net.logs.some((l) => /holds view 3 but this service knows only 2/.test(l))).toBe(true);
  });

  it('with two backups per view, survives losing its leader and two servers at once', async () => {
    const c = await startSim(await variant(['--backups', '2']));
    await c.clock.sleep(WARMUP_MS);
    const s = new Session(c);
    const { primary: p, backups } = currentView(c);
    expect(backups).toHaveLength(2);
    expect(await s.client('c1').run(write('a', 1))).toMatchObject({ type: 'ok' });
    await c.kill(leaderOf(c)!);
    await c.kill(p!);
    await c.kill(backups[0]);
    expect(await firstWrite(c, s, 'c2', 2)).not.toBeNull();
    expect(currentView(c)).toMatchObject({ primary: backups[1], backups: [] });
  });

  it('goes on with one replica lost for good: two replicas still form views', async () => {
    const { c, s, p } = await ready();
    await c.kill(VIEW_SERVICE_REPLICAS.find((id) => !replica(c, id).isLeader)!);
    await c.kill(p);
    expect(await firstWrite(c, s, 'c1', 3)).not.toBeNull();
    await c.kill(leaderOf(c)!); // two of three down: no majority, no view change, but no wrong answer
    const outcome = await s.client('c2').run(read('a'), 3000);
    expect(outcome.type === 'ok' ? outcome.value : 3).toBe(3);
    expect(SERVERS).toContain(currentView(c).primary);
    expect((await s.verdict()).valid).toBe(true);
  });
});
