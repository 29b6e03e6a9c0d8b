// The consensus-replicated view service, one fault at a time, on the
// in-memory network where timing is exact: its leader killed and restarted
// (with its disk), isolated, cut from the other replicas only, paused; a
// partition leaving a majority with a server and a client node; and the loss
// of a replica and a server together. Under each, clients run and the history
// is judged by the real checker, and the operations that must succeed (the
// design's availability claims) do, within virtual-time bounds.
import { describe, expect, it } from 'vitest';
import type { SimNetwork } from '../runtime/simnet.ts';
import { checkRecorded } from '../testing/verdict.ts';
import { request, SERVERS, SimClients, simCluster } from '../viewserver/simcluster.ts';
import { VIEW_SERVICE_REPLICAS } from './config.ts';
import type { RaftViewService } from './replica.ts';
import { raftDesign } from './simDesign.ts';

const design = raftDesign();
const replica = (net: SimNetwork, id: string) => net.node<RaftViewService>(id);
const leaderOf = (net: SimNetwork) => design.viewServiceLeader(net);
const views = (net: SimNetwork, ids: readonly string[] = VIEW_SERVICE_REPLICAS) => ids.map((id) => replica(net, id).view);

/** A cluster at view 2 = (s1, [s2]) on every replica, with a = 1 written. */
function ready(seed = 1): SimNetwork {
  const net = simCluster(seed, { design, reorder: false });
  net.advance(design.warmupMs);
  for (const v of views(net)) expect(v).toMatchObject({ viewnum: 2, primary: 's1', backups: ['s2'] });
  expect(request(net, 'client', 'c1', { type: 'write', key: 'a', value: 1 })?.type).toBe('write_ok');
  return net;
}

/**
 * Runs clients for `ms` of virtual time, calling `fault` once at `faultAt`,
 * and returns the history (linearizability is the caller's to assert).
 */
function underLoad(net: SimNetwork, ms: number, fault: () => void, faultAt = 500) {
  const clients = new SimClients(net, ['p0', 'p1', 'p2', 'p3'], ['a', 'b'], 5000);
  const start = net.now;
  let struck = false;
  while (net.now - start < ms) {
    if (!struck && net.now - start >= faultAt) {
      struck = true;
      fault();
    }
    clients.step(true);
    net.advance(10);
  }
  for (let i = 0; i < 1000 && !clients.idle; i++) {
    clients.step(false);
    net.advance(10);
  }
  clients.finish();
  return clients.history;
}

function linearizable(history: ReturnType<typeof underLoad>): void {
  const verdict = checkRecorded(history, { repliesBeforeRequests: true });
  expect(verdict.valid, verdict.explanation).toBe(true);
  expect(history.filter((o) => o.status === 'ok').length).toBeGreaterThan(20);
}

/** Writes through `coordinator` until one succeeds; returns the virtual ms it took (null: none within maxMs). */
function firstWrite(net: SimNetwork, coordinator: string, value: number, maxMs = 10_000): number | null {
  const t0 = net.now;
  while (net.now - t0 < maxMs) {
    if (request(net, 'client', coordinator, { type: 'write', key: 'a', value }, 3000)?.type === 'write_ok') return net.now - t0;
  }
  return null;
}

describe('raftvs: the replicated view service', () => {
  it('agrees on the views from a cold start: every replica applied the same ones, the harness can ask a coordinator', () => {
    const net = ready();
    expect(VIEW_SERVICE_REPLICAS.filter((id) => replica(net, id).isLeader)).toHaveLength(1);
    for (const id of VIEW_SERVICE_REPLICAS) expect(replica(net, id).acked).toBe(true);
    expect(request(net, 'harness', 'c1', { type: 'primary' })).toMatchObject({ type: 'primary_ok', primary: 's1', backup: 's2', view: 2 });
    // A follower answers queries from its committed state and names the leader.
    const follower = VIEW_SERVICE_REPLICAS.find((id) => !replica(net, id).isLeader)!;
    expect(request(net, 'harness', follower, { type: 'primary' })).toMatchObject({ primary: 's1', view: 2, leader: leaderOf(net) });
  });

  it('loses its leader (killed, restarted with its disk): a new one is elected, operations go on, the old one reloads and catches up', () => {
    const net = ready();
    const old = leaderOf(net)!;
    const history = underLoad(net, 6000, () => net.crash(old));
    expect(leaderOf(net)).not.toBe(old);
    // A view change still happens without it: the primary dies too.
    net.crash('s1');
    expect(firstWrite(net, 'c2', 50)).not.toBeNull();
    const decided = design.currentView(net);
    expect(decided).toMatchObject({ viewnum: 3, primary: 's2' });
    net.restart(old);
    net.advance(1000);
    expect(net.logs.some((l) => l.includes(`[${old}] restored term`))).toBe(true);
    expect(replica(net, old).view).toEqual(decided);
    linearizable(history);
  });

  it('loses its leader and the primary at once: the new leader waits a dead interval, promotes the backup, and writes resume', () => {
    const net = ready();
    const old = leaderOf(net)!;
    net.crash(old);
    net.crash('s1');
    const took = firstWrite(net, 'c1', 2);
    // An election (0.5 to 1 s), the new leader's dead interval (0.6 s), the view change and the
    // coordinator's retries: a few seconds of virtual time, not more.
    expect(took).not.toBeNull();
    expect(took!).toBeLessThan(6000);
    expect(design.currentView(net)).toMatchObject({ primary: 's2', backups: ['s3'] });
    expect(request(net, 'client', 'c2', { type: 'read', key: 'a' })).toMatchObject({ type: 'read_ok', value: 2 });
  });

  it('an isolated leader steps down, the servers find the new leader, and a view change happens without it', () => {
    const net = ready();
    const old = leaderOf(net)!;
    const history = underLoad(net, 8000, () => {
      net.isolate(old);
      net.crash('s1');
    });
    expect(replica(net, old).isLeader).toBe(false);
    const decided = design.currentView(net);
    expect(decided).toMatchObject({ primary: 's2' });
    expect(replica(net, old).view.viewnum).toBeLessThan(decided.viewnum); // it heard nothing of it
    net.heal();
    net.advance(1500);
    expect(replica(net, old).view).toEqual(design.currentView(net));
    linearizable(history);
  });

  it('a leader cut from the other replicas but not from the servers commits nothing, and the majority decides', () => {
    const net = ready();
    const old = leaderOf(net)!;
    const rest = VIEW_SERVICE_REPLICAS.filter((id) => id !== old);
    const history = underLoad(net, 8000, () => {
      for (const r of rest) net.cut(old, r);
      net.crash('s1'); // the servers keep pinging the old leader at first
    });
    const decided = replica(net, rest[0]).view;
    expect(decided).toMatchObject({ primary: 's2' });
    expect(replica(net, rest[1]).view).toEqual(decided);
    expect(replica(net, old).view.viewnum).toBeLessThan(decided.viewnum);
    linearizable(history);
  });

  it('a paused leader wakes up after a view change and follows', () => {
    const net = ready();
    const old = leaderOf(net)!;
    const history = underLoad(net, 8000, () => {
      net.pause(old);
      net.crash('s1');
    });
    net.resume(old);
    net.advance(1500);
    expect(replica(net, old).view).toEqual(design.currentView(net));
    expect(design.currentView(net)).toMatchObject({ primary: 's2' });
    linearizable(history);
  });

  it('a partition leaving a majority with a server and a client node keeps serving there; the minority serves nothing stale', () => {
    const net = ready();
    const old = leaderOf(net)!;
    const minority = [old, 's1', 'c1'];
    const majority = [...VIEW_SERVICE_REPLICAS.filter((id) => id !== old), 's2', 's3', 'c2'];
    const history = underLoad(net, 8000, () => {
      for (const a of minority) for (const b of majority) net.cut(a, b);
    });
    expect(design.currentView(net)).toMatchObject({ primary: 's2' });
    expect(firstWrite(net, 'c2', 60, 3000)).not.toBeNull();
    linearizable(history);
  });

  /**
   * View 3 is committed by the leader and one follower while the other lags; then that follower
   * restarts and the leader dies. Only the restarted follower's disk still holds view 3.
   */
  function committedViewAtRisk(d: typeof design) {
    const net = simCluster(1, { design: d, reorder: false });
    net.advance(d.warmupMs);
    const leader = d.viewServiceLeader(net)!;
    const [f1, f2] = VIEW_SERVICE_REPLICAS.filter((id) => id !== leader);
    net.cut(f2, leader);
    net.cut(f2, f1);
    net.crash('s1');
    net.advance(1500);
    expect(replica(net, f1).view).toMatchObject({ viewnum: 3, primary: 's2' });
    expect(replica(net, f2).view.viewnum).toBe(2);
    net.crash(f1);
    net.restart(f1);
    net.crash(leader);
    net.heal();
    net.advance(3000);
    return { net, f1, f2 };
  }

  it('keeps a committed view through the restart of a replica that acknowledged it and the loss of the leader (its disk)', () => {
    const { net, f1, f2 } = committedViewAtRisk(design);
    expect(replica(net, f2).view).toMatchObject({ viewnum: 3, primary: 's2' });
    expect([f1, f2]).toContain(leaderOf(net));
    // And the two survivors still decide: s2 dies, s3 takes over.
    net.crash('s2');
    expect(firstWrite(net, 'c1', 9)).not.toBeNull();
    expect(replica(net, f1).view).toMatchObject({ viewnum: 4, primary: 's3' });
  });

  it('(planted forgetfulDisk) without its disk the restarted replica lets the service lose that view', () => {
    const forgetful = raftDesign({ planted: ['forgetfulDisk'] });
    const { net, f2 } = committedViewAtRisk(forgetful);
    // The service fell back to view 2, which servers holding view 3 expose: it wedges rather than reuse the number.
    expect(replica(net, f2).view.viewnum).toBe(2);
    expect(net.logs.some((l) => /holds view 3 but this service knows only 2/.test(l))).toBe(true);
  });

  it('with two backups per view, survives losing its leader and two servers at once', () => {
    const two = raftDesign({ backups: 2 });
    const net = simCluster(1, { design: two, reorder: false });
    net.advance(two.warmupMs);
    expect(two.currentView(net)).toMatchObject({ primary: 's1', backups: ['s2', 's3'] });
    expect(request(net, 'client', 'c1', { type: 'write', key: 'a', value: 1 })?.type).toBe('write_ok');
    net.crash(two.viewServiceLeader(net)!);
    net.crash('s1');
    net.crash('s2');
    expect(firstWrite(net, 'c2', 2)).not.toBeNull();
    expect(two.currentView(net)).toMatchObject({ primary: 's3', backups: [] });
  });

  it('goes on with one replica lost for good: two replicas still form views', () => {
    const net = ready();
    const follower = VIEW_SERVICE_REPLICAS.find((id) => !replica(net, id).isLeader)!;
    net.crash(follower);
    net.crash('s1');
    expect(firstWrite(net, 'c1', 3)).not.toBeNull();
    net.crash(leaderOf(net)!); // two of three down: no majority, no view change, but no wrong answer
    const outcome = request(net, 'client', 'c2', { type: 'read', key: 'a' }, 3000);
    expect(outcome?.type === 'read_ok' ? outcome.value : 3).toBe(3);
    expect(SERVERS).toContain(design.currentView(net).primary);
  });
});
