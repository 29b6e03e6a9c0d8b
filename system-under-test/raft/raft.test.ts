// The Raft core on the test network (network.ts): elections (split votes
// included), log repair after a partition, a restarted member keeping its vote
// and log, a stale leader unable to commit, the commitment rule for entries of
// earlier terms, check quorum, and a seeded randomized property over fault
// schedules checking election safety and state machine safety.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RaftNetwork } from './network.ts';
import { Raft, type RaftMessage } from './raft.ts';

const data = (net: RaftNetwork, id: string) => net.applied.get(id)!.map((e) => e.data).filter((d) => d !== null);
const logOf = (net: RaftNetwork, id: string) => net.raft(id).log.slice(1).map((e) => `${e.term}:${String(e.data)}`);

function oneLeaderPerTerm(net: RaftNetwork): void {
  for (const [term, ids] of net.leaders) expect(ids.size, `term ${term} had leaders ${[...ids].join(',')}`).toBe(1);
  expect(net.violations).toEqual([]);
}

/** a, b, c with a elected and its empty entry committed everywhere. */
function threeWithLeaderA(): RaftNetwork {
  const net = new RaftNetwork(['a', 'b', 'c']);
  net.campaign('a');
  net.stabilize();
  expect(net.raft('a').role).toBe('leader');
  net.tickAll(1); // a heartbeat carries the commit index to the followers
  return net;
}

describe('raft: elections', () => {
  it('elects one leader from a cold start by election timeout alone', () => {
    const net = new RaftNetwork(['a', 'b', 'c'], { seed: 3 });
    for (let i = 0; i < 40 && net.leader() === null; i++) net.tickAll(1);
    const leader = net.leader();
    expect(leader).not.toBeNull();
    for (const id of net.members) expect(net.raft(id).lead).toBe(leader);
    oneLeaderPerTerm(net);
  });

  it('survives a split vote: no leader in that term, then randomized timeouts elect one', () => {
    const net = new RaftNetwork(['a', 'b', 'c', 'd'], { seed: 5 });
    net.campaign('a');
    net.campaign('b');
    // c hears a first, d hears b first: two votes each, and a quorum of four is three.
    net.deliver((m) => m.from === 'a' && m.to === 'c');
    net.deliver((m) => m.from === 'b' && m.to === 'd');
    net.stabilize();
    expect(net.raft('a').role).toBe('candidate');
    expect(net.raft('b').role).toBe('candidate');
    expect(net.leaders.size).toBe(0);
    for (let i = 0; i < 60 && net.leader() === null; i++) net.tickAll(1);
    expect(net.leader()).not.toBeNull();
    expect(net.raft(net.leader()!).term).toBeGreaterThan(1);
    oneLeaderPerTerm(net);
  });

  it('does not vote for a candidate whose log is behind (the election restriction)', () => {
    const net = threeWithLeaderA();
    net.cut('a', 'c');
    net.cut('b', 'c');
    net.propose('a', 'x');
    net.stabilize();
    net.tickAll(1);
    expect(data(net, 'b')).toEqual(['x']);
    net.heal();
    net.crash('a');
    net.campaign('c'); // c lacks x: b must refuse
    net.stabilize();
    expect(net.raft('c').role).not.toBe('leader');
    net.campaign('b');
    net.stabilize();
    expect(net.raft('b').role).toBe('leader');
    oneLeaderPerTerm(net);
  });
});

describe('raft: replication', () => {
  it('repairs a deposed leader’s log after a partition, discarding its uncommitted entries', () => {
    const net = threeWithLeaderA();
    net.propose('a', 'x');
    net.stabilize();
    net.isolate('a');
    net.propose('a', 'lost-1');
    net.propose('a', 'lost-2');
    net.stabilize();
    net.campaign('b');
    net.stabilize();
    expect(net.raft('b').role).toBe('leader');
    net.propose('b', 'y');
    net.stabilize();
    net.tickAll(1);
    expect(data(net, 'c')).toEqual(['x', 'y']);
    expect(data(net, 'a')).toEqual(['x']);
    net.heal();
    net.tickAll(3);
    expect(net.raft('a').role).toBe('follower');
    expect(logOf(net, 'a')).toEqual(logOf(net, 'b'));
    expect(logOf(net, 'a')).not.toContain('1:lost-1');
    expect(data(net, 'a')).toEqual(['x', 'y']);
    oneLeaderPerTerm(net);
  });

  it('a stale leader cut off from the majority commits nothing, and steps down (check quorum)', () => {
    const net = threeWithLeaderA();
    net.isolate('a');
    const commit = net.raft('a').commit;
    expect(net.propose('a', 'never')).not.toBeNull();
    net.tick('a', 5);
    net.stabilize();
    expect(net.raft('a').role).toBe('leader'); // not yet: it heard from b and c in this check's window
    expect(net.raft('a').commit).toBe(commit);
    // The next window (10 ticks) passes in silence: at its end a steps down.
    net.tick('a', 15);
    expect(net.raft('a').role).toBe('follower');
    expect(net.raft('a').commit).toBe(commit);
    for (const id of net.members) expect(data(net, id)).not.toContain('never');
    oneLeaderPerTerm(net);
  });

  it('a leader that hears from a majority keeps leading', () => {
    const net = threeWithLeaderA();
    net.crash('c');
    net.tickAll(50);
    expect(net.raft('a').role).toBe('leader');
    expect(net.raft('a').term).toBe(1);
  });

  it('commits an entry of an earlier term only together with one of its own (Raft §5.4.2)', () => {
    // a restarts with entries of terms 1 and 2 that it never saw committed, and wins term 3.
    const a = new Raft({
      id: 'a',
      members: ['a', 'b', 'c'],
      electionTicks: 10,
      heartbeatTicks: 1,
      random: () => 0,
      hardState: { term: 2, vote: null },
      entries: [
        { index: 1, term: 1, data: 'one' },
        { index: 2, term: 2, data: 'two' },
      ],
    });
    a.campaign();
    a.ready();
    a.step({ type: 'voteResp', from: 'b', to: 'a', term: 3, granted: true });
    expect(a.role).toBe('leader');
    expect(a.log.lastIndex).toBe(3); // its empty entry of term 3
    a.ready();
    // b already held 1..2 and says so: index 2 is now on a majority, but it is of term 2.
    a.step({ type: 'appResp', from: 'b', to: 'a', term: 3, success: true, index: 2 });
    expect(a.commit).toBe(0);
    a.step({ type: 'appResp', from: 'b', to: 'a', term: 3, success: true, index: 3 });
    expect(a.commit).toBe(3);
    expect(a.ready().committed.map((e) => e.data)).toEqual(['one', 'two', null]);
  });

  it('a follower never truncates on a stale, shorter append', () => {
    const net = threeWithLeaderA();
    net.propose('a', 'x');
    const late = net.queue.find((m) => m.to === 'b' && m.type === 'app')!;
    net.stabilize();
    net.propose('a', 'y');
    net.stabilize();
    const before = logOf(net, 'b');
    net.queue.push(structuredClone(late)); // the first append, delivered again long after
    net.stabilize();
    expect(logOf(net, 'b')).toEqual(before);
  });
});

describe('raft: persistence', () => {
  it('a restarted member keeps its vote: it refuses a second candidate in the same term', () => {
    const net = new RaftNetwork(['a', 'b', 'c']);
    net.campaign('c');
    net.deliver((m) => m.from === 'c' && m.to === 'a'); // a votes for c (durably, before replying)
    net.queue.length = 0; // the replies are lost
    net.crash('a');
    net.restart('a');
    expect(net.raft('a').term).toBe(1);
    expect(net.raft('a').vote).toBe('c');
    net.campaign('b'); // also term 1
    net.deliver((m) => m.from === 'b' && m.to === 'a');
    const reply = net.queue.find((m): m is Extract<RaftMessage, { type: 'voteResp' }> => m.type === 'voteResp' && m.from === 'a');
    expect(reply).toMatchObject({ to: 'b', term: 1, granted: false });
  });

  it('a committed entry survives the restart of the member that acknowledged it', () => {
    const net = threeWithLeaderA();
    net.cut('a', 'c');
    net.cut('b', 'c');
    net.propose('a', 'x'); // committed by a and b only
    net.stabilize();
    expect(net.raft('a').commit).toBe(2);
    net.crash('b');
    net.restart('b');
    expect(logOf(net, 'b')).toEqual(['1:null', '1:x']);
    expect(net.raft('b').commit).toBe(0); // relearned from the leader, not persisted
    net.heal();
    net.crash('a');
    // Only b and c are left; c's log lacks x, so c cannot win, and b brings x along.
    for (let i = 0; i < 80 && net.leader() === null; i++) net.tickAll(1);
    expect(net.leader()).toBe('b');
    net.tickAll(2);
    expect(data(net, 'c')).toEqual(['x']);
    oneLeaderPerTerm(net);
  });
});

type Action =
  | { kind: 'tick'; rounds: number }
  | { kind: 'propose'; who: number }
  | { kind: 'deliver'; n: number; dropRate: number }
  | { kind: 'partition'; mask: number }
  | { kind: 'heal' }
  | { kind: 'crash'; who: number }
  | { kind: 'restart'; who: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('tick' as const), rounds: fc.integer({ min: 1, max: 15 }) }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('propose' as const), who: fc.nat(4) }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('deliver' as const), n: fc.integer({ min: 1, max: 30 }), dropRate: fc.double({ min: 0, max: 0.5, noNaN: true }) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('partition' as const), mask: fc.integer({ min: 1, max: 30 }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('heal' as const) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('crash' as const), who: fc.nat(4) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('restart' as const), who: fc.nat(4) }), weight: 1 },
);

describe('raft: randomized fault schedules (fast-check, seeded)', () => {
  it('one leader per term, one entry per index forever, and progress once healed', () => {
    const members = ['a', 'b', 'c', 'd', 'e'];
    let proposals = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.array(action, { minLength: 5, maxLength: 60 }), (seed, actions) => {
        const net = new RaftNetwork(members, { seed });
        for (const a of actions) {
          switch (a.kind) {
            case 'tick':
              for (let i = 0; i < a.rounds; i++) for (const id of members) net.tick(id);
              break;
            case 'propose':
              net.propose(members[a.who], `v${proposals++}`);
              break;
            case 'deliver':
              for (let i = 0; i < a.n; i++) {
                if (net.queue.length === 0) break;
                // Out of order: any queued message may go next, or be lost.
                const m = net.queue[Math.floor(net.random() * net.queue.length)];
                if (net.random() < a.dropRate) net.queue.splice(net.queue.indexOf(m), 1);
                else net.deliver((q) => q === m);
              }
              break;
            case 'partition': {
              net.heal();
              const side = members.filter((_, i) => (a.mask >> i) & 1);
              for (const x of side) for (const y of members) if (!side.includes(y)) net.cut(x, y);
              break;
            }
            case 'heal':
              net.heal();
              break;
            case 'crash':
              net.crash(members[a.who]);
              break;
            case 'restart':
              net.restart(members[a.who]);
              break;
          }
          for (const [term, ids] of net.leaders) if (ids.size > 1) throw new Error(`term ${term}: leaders ${[...ids]}`);
          if (net.violations.length > 0) throw new Error(net.violations.join('\n'));
        }
        // Liveness once the faults end: everyone back, a leader, and a new entry applied everywhere.
        net.heal();
        for (const id of members) if (!net.running(id)) net.restart(id);
        net.stabilize();
        let leader: string | null = null;
        for (let i = 0; i < 200 && leader === null; i++) {
          net.tickAll(1);
          leader = members.find((id) => net.raft(id).leaderReady) ?? null;
        }
        if (leader === null) throw new Error('no leader 200 rounds after healing');
        net.propose(leader, 'final');
        net.tickAll(3);
        for (const id of members) if (!data(net, id).includes('final')) throw new Error(`${id} did not apply the final entry`);
        if (net.violations.length > 0) throw new Error(net.violations.join('\n'));
      }),
      { seed: Number(process.env.RAFT_SEED ?? 20260310), numRuns: Number(process.env.RAFT_RUNS ?? 200) },
    );
  });
});
