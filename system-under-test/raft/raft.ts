// Raft consensus as a pure state machine, after etcd's raft.go and rawnode.go
// in miniature: `step` takes a message, `tick` is time, `propose` offers a
// command, and none of them does I/O. Their effects wait in `ready()`, which
// the host drains after every call (host duties below). Randomness comes in
// through the config, so a seeded run replays.
//
// Why it is safe (the invariants the code keeps; code refers to them as R1..R7):
// R1 Terms only grow. A message with a higher term makes the receiver a
//    follower of that term; one with a lower term is answered with the current
//    term (so a stale leader or candidate learns it is stale) and otherwise
//    ignored.
// R2 One leader per term: a member votes at most once per term, and the vote
//    is durable before the reply that grants it leaves (R6); a candidate needs
//    a majority. A member that knows a leader of the current term votes for
//    no one else in it.
// R3 The election restriction: a vote goes only to a candidate whose log is at
//    least as up to date as the voter's (RaftLog.isUpToDate), so every leader
//    holds every committed entry.
// R4 Log matching: a follower accepts an append only if its entry at prevIndex
//    has prevTerm, and then truncates only a suffix that conflicts with the
//    leader's entries (never on a shorter, stale message; never a committed
//    entry). A leader only ever appends to its own log.
// R5 Commitment: a leader counts replicas only for an entry of its own term
//    (Raft §5.4.2, the Figure 8 case); earlier entries are committed with it.
//    A follower's commit index never passes what it verified to match the
//    leader's log.
// R6 Durability before speech: term, vote and new entries leave `ready()` in
//    `hardState` and `entries`, which the host persists before it sends that
//    Ready's messages. A restarted member reloads them (`hardState`,
//    `entries` in the config), so it neither votes twice in a term nor
//    forgets entries it acknowledged.
// R7 Check quorum: a leader that has heard from no majority for an election
//    timeout steps down, so a cut-off leader stops claiming leadership (it
//    could not commit anything anyway: R5 needs a majority of its term).
//
// Host duties (as etcd's Ready): after every tick, step or propose call
// `ready()` before anything else, then (1) persist `hardState` (if not null)
// and `entries` durably, where `entries` replace the log from their first
// index on; (2) send `messages`; (3) apply `committed` in order. The commit
// index is not persisted: a restarted member relearns it from the leader.
import { RaftLog, type Entry } from './log.ts';
import { committedIndex, quorumSize } from './quorum.ts';

export type Role = 'follower' | 'candidate' | 'leader';

export interface HardState {
  term: number;
  /** Whom this member voted for in `term` (null: no one yet). */
  vote: string | null;
}

export type RaftMessage =
  | { type: 'vote'; from: string; to: string; term: number; lastIndex: number; lastTerm: number }
  | { type: 'voteResp'; from: string; to: string; term: number; granted: boolean }
  | { type: 'app'; from: string; to: string; term: number; prevIndex: number; prevTerm: number; entries: Entry[]; commit: number }
  /** `index`: on success the last index now known to match; on rejection a hint, the follower's last index that may match. */
  | { type: 'appResp'; from: string; to: string; term: number; success: boolean; index: number };

type Outgoing = RaftMessage extends infer M ? (M extends RaftMessage ? Omit<M, 'from' | 'term'> : never) : never;

export interface RaftConfig {
  id: string;
  /** Every member, this one included. */
  members: readonly string[];
  /** Ticks without a leader before a follower campaigns (randomized in [electionTicks, 2 electionTicks)). */
  electionTicks: number;
  /** A leader sends appends (heartbeats) every this many ticks. */
  heartbeatTicks: number;
  random: () => number;
  /** Cap on entries per append message. */
  maxEntriesPerMessage?: number;
  /** What the host persisted before a restart (R6). */
  hardState?: HardState;
  entries?: readonly Entry[];
  log?: (message: string) => void;
}

export interface Ready {
  /** Term and vote to persist, when they changed. */
  hardState: HardState | null;
  /** Entries to persist; they replace the log from entries[0].index on. */
  entries: Entry[];
  /** To send once the above is durable. */
  messages: RaftMessage[];
  /** Newly committed entries, to apply in order. */
  committed: Entry[];
}

interface Progress {
  /** Highest index known to match this follower's log. */
  match: number;
  /** Next index to send it. */
  next: number;
}

export class Raft {
  readonly id: string;
  readonly members: readonly string[];
  readonly log: RaftLog;
  term: number;
  vote: string | null;
  role: Role = 'follower';
  /** The leader of the current term, if known. */
  lead: string | null = null;
  commit = 0;
  /** A leader's first entry of its term (its empty entry); 0 when not leader. */
  termStart = 0;

  private readonly peers: string[];
  private readonly quorum: number;
  private readonly maxEntries: number;
  private readonly say: (m: string) => void;
  private applied = 0;
  private electionElapsed = 0;
  private heartbeatElapsed = 0;
  private randomizedElectionTimeout = 0;
  private votes = new Map<string, boolean>();
  private readonly progress = new Map<string, Progress>();
  /** Followers heard from since the last check-quorum (R7). */
  private readonly recentActive = new Set<string>();
  private msgs: RaftMessage[] = [];
  /** First index not yet handed to the host for persistence. */
  private unstableFrom: number;
  private saved: HardState;
  private tickFn: () => void;

  constructor(private readonly config: RaftConfig) {
    if (!config.members.includes(config.id)) throw new Error(`raft: ${config.id} is not among the members ${config.members.join(',')}`);
    this.id = config.id;
    this.members = [...config.members];
    this.peers = this.members.filter((m) => m !== config.id);
    this.quorum = quorumSize(this.members.length);
    this.maxEntries = config.maxEntriesPerMessage ?? 64;
    this.say = config.log ?? (() => {});
    this.log = new RaftLog(config.entries ?? []);
    this.term = config.hardState?.term ?? 0;
    this.vote = config.hardState?.vote ?? null;
    this.saved = { term: this.term, vote: this.vote };
    this.unstableFrom = this.log.lastIndex + 1;
    this.tickFn = () => this.tickElection();
    this.resetElectionTimeout();
  }

  /** Is this the leader, with an entry of its own term committed (so its committed state is complete)? */
  get leaderReady(): boolean {
    return this.role === 'leader' && this.commit >= this.termStart;
  }

  tick(): void {
    this.tickFn();
  }

  /** Appends `data` if this member leads; returns its index, or null (not the leader). */
  propose(data: unknown): number | null {
    if (this.role !== 'leader') return null;
    const index = this.appendOwn(data);
    this.broadcastAppend();
    this.maybeCommit();
    return index;
  }

  step(m: RaftMessage): void {
    if (m.to !== this.id || m.from === this.id || !this.members.includes(m.from)) return;
    if (m.term > this.term) {
      // R1. An append comes from the leader of that term; a vote request names no leader yet.
      this.becomeFollower(m.term, m.type === 'app' ? m.from : null);
    } else if (m.term < this.term) {
      // R1: tell a stale leader or candidate the current term.
      if (m.type === 'app') this.send({ type: 'appResp', to: m.from, success: false, index: 0 });
      else if (m.type === 'vote') this.send({ type: 'voteResp', to: m.from, granted: false });
      return;
    }
    switch (m.type) {
      case 'vote':
        return this.handleVote(m);
      case 'voteResp':
        if (this.role === 'candidate') this.tally(m.from, m.granted);
        return;
      case 'app':
        if (this.role === 'leader') {
          this.say(`BUG: two leaders in term ${this.term} (${this.id} and ${m.from})`);
          return;
        }
        if (this.role === 'candidate') this.becomeFollower(this.term, m.from);
        this.lead = m.from;
        this.electionElapsed = 0;
        return this.handleAppend(m);
      case 'appResp':
        if (this.role === 'leader') this.handleAppendResponse(m);
        return;
    }
  }

  ready(): Ready {
    let hardState: HardState | null = null;
    if (this.term !== this.saved.term || this.vote !== this.saved.vote) {
      hardState = { term: this.term, vote: this.vote };
      this.saved = hardState;
    }
    const entries = this.log.slice(this.unstableFrom);
    this.unstableFrom = this.log.lastIndex + 1;
    const messages = this.msgs;
    this.msgs = [];
    const committed = this.log.slice(this.applied + 1, this.commit - this.applied);
    this.applied = this.commit;
    return { hardState, entries, messages, committed };
  }

  // --- roles ----------------------------------------------------------------
  private becomeFollower(term: number, lead: string | null): void {
    if (term > this.term) {
      this.term = term;
      this.vote = null;
    }
    if (this.role === 'leader') this.say(`term ${this.term}: no longer leader`);
    this.waitForLeader('follower', lead);
  }

  /** A follower or candidate: counts down a fresh randomized election timeout. */
  private waitForLeader(role: 'follower' | 'candidate', lead: string | null): void {
    this.role = role;
    this.lead = lead;
    this.termStart = 0;
    this.electionElapsed = 0;
    this.resetElectionTimeout();
    this.tickFn = () => this.tickElection();
  }

  /** Starts an election now (etcd's MsgHup): what an election timeout does, on demand for tests. */
  campaign(): void {
    this.term++;
    this.vote = this.id;
    this.waitForLeader('candidate', null);
    this.votes = new Map([[this.id, true]]);
    this.say(`term ${this.term}: campaigning`);
    if (this.tally(this.id, true)) return;
    for (const p of this.peers) this.send({ type: 'vote', to: p, lastIndex: this.log.lastIndex, lastTerm: this.log.lastTerm });
  }

  /** Counts a vote; true once the election is decided either way. */
  private tally(from: string, granted: boolean): boolean {
    this.votes.set(from, granted);
    const yes = [...this.votes.values()].filter((v) => v).length;
    if (yes >= this.quorum) {
      this.becomeLeader();
      return true;
    }
    if (this.votes.size - yes >= this.quorum) {
      this.becomeFollower(this.term, null);
      return true;
    }
    return false;
  }

  private becomeLeader(): void {
    this.role = 'leader';
    this.lead = this.id;
    this.heartbeatElapsed = 0;
    this.electionElapsed = 0;
    this.recentActive.clear();
    this.tickFn = () => this.tickLeader();
    for (const p of this.peers) this.progress.set(p, { match: 0, next: this.log.lastIndex + 1 });
    // An entry of the new term, so that earlier entries can be committed (R5) and the leader learns its commit index.
    this.termStart = this.appendOwn(null);
    this.say(`term ${this.term}: leader`);
    this.broadcastAppend();
    this.maybeCommit();
  }

  private resetElectionTimeout(): void {
    const e = this.config.electionTicks;
    this.randomizedElectionTimeout = e + Math.floor(this.config.random() * e);
  }

  // --- time -----------------------------------------------------------------
  private tickElection(): void {
    this.electionElapsed++;
    if (this.electionElapsed >= this.randomizedElectionTimeout) this.campaign();
  }

  private tickLeader(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.config.electionTicks) {
      this.electionElapsed = 0;
      if (this.recentActive.size + 1 < this.quorum) {
        this.say(`term ${this.term}: stepping down, no majority heard for ${this.config.electionTicks} ticks`); // R7
        this.becomeFollower(this.term, null);
        return;
      }
      this.recentActive.clear();
    }
    if (this.heartbeatElapsed >= this.config.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      this.broadcastAppend();
    }
  }

  // --- votes ----------------------------------------------------------------
  private handleVote(m: Extract<RaftMessage, { type: 'vote' }>): void {
    // R2: one vote per term, none against a known leader; R3: only for an up-to-date log.
    const free = this.vote === m.from || (this.vote === null && this.lead === null);
    const granted = free && this.log.isUpToDate(m.lastIndex, m.lastTerm);
    if (granted) {
      this.vote = m.from;
      this.electionElapsed = 0;
    }
    this.send({ type: 'voteResp', to: m.from, granted });
  }

  // --- replication ----------------------------------------------------------
  private appendOwn(data: unknown): number {
    const entry = { index: this.log.lastIndex + 1, term: this.term, data };
    this.log.push(entry);
    this.unstableFrom = Math.min(this.unstableFrom, entry.index);
    return entry.index;
  }

  private sendAppend(to: string): void {
    const pr = this.progress.get(to)!;
    const prevIndex = pr.next - 1;
    this.send({
      type: 'app',
      to,
      prevIndex,
      prevTerm: this.log.term(prevIndex)!,
      entries: this.log.slice(pr.next, this.maxEntries),
      commit: this.commit,
    });
  }

  private broadcastAppend(): void {
    for (const p of this.peers) this.sendAppend(p);
  }

  private handleAppend(m: Extract<RaftMessage, { type: 'app' }>): void {
    if (!this.log.matchTerm(m.prevIndex, m.prevTerm)) {
      // R4. Hint where the leader should look: our end, or just before the mismatch.
      const hint = m.prevIndex > this.log.lastIndex ? this.log.lastIndex : m.prevIndex - 1;
      this.send({ type: 'appResp', to: m.from, success: false, index: hint });
      return;
    }
    for (const e of m.entries) {
      const have = this.log.term(e.index);
      if (have === e.term) continue;
      if (have !== undefined) {
        if (e.index <= this.commit) throw new Error(`raft ${this.id}: an append from ${m.from} conflicts with committed entry ${e.index}`);
        this.log.truncateFrom(e.index);
      }
      this.log.push({ index: e.index, term: e.term, data: e.data });
      this.unstableFrom = Math.min(this.unstableFrom, e.index);
    }
    const lastNew = m.prevIndex + m.entries.length;
    // R5: never past what was just verified to match the leader's log.
    if (m.commit > this.commit) this.commit = Math.max(this.commit, Math.min(m.commit, lastNew));
    this.send({ type: 'appResp', to: m.from, success: true, index: lastNew });
  }

  private handleAppendResponse(m: Extract<RaftMessage, { type: 'appResp' }>): void {
    this.recentActive.add(m.from);
    const pr = this.progress.get(m.from)!;
    if (m.success) {
      pr.match = Math.max(pr.match, m.index);
      pr.next = Math.max(pr.next, m.index + 1);
      if (this.maybeCommit()) this.broadcastAppend();
      else if (pr.next <= this.log.lastIndex) this.sendAppend(m.from);
      return;
    }
    // Back off to the follower's hint (a stale rejection moves nothing), never below what matches.
    pr.next = Math.max(pr.match + 1, Math.min(pr.next, m.index + 1));
    this.sendAppend(m.from);
  }

  /** R5: commit the majority's index only if it is an entry of this term. */
  private maybeCommit(): boolean {
    const matches = this.members.map((p) => (p === this.id ? this.log.lastIndex : this.progress.get(p)!.match));
    const n = committedIndex(matches);
    if (n <= this.commit || this.log.term(n) !== this.term) return false;
    this.commit = n;
    return true;
  }

  private send(m: Outgoing): void {
    this.msgs.push({ ...m, from: this.id, term: this.term } as RaftMessage);
  }
}

/** Checks the shape of a message that came over the wire (from and to are the transport's, not the sender's word). */
export function parseRaftMessage(x: unknown, from: string, to: string): RaftMessage | null {
  if (typeof x !== 'object' || x === null) return null;
  const m = x as Record<string, unknown>;
  const num = (k: string) => typeof m[k] === 'number' && Number.isInteger(m[k]) && (m[k] as number) >= 0;
  if (!num('term')) return null;
  const base = { from, to, term: m.term as number };
  switch (m.type) {
    case 'vote':
      return num('lastIndex') && num('lastTerm') ? { ...base, type: 'vote', lastIndex: m.lastIndex as number, lastTerm: m.lastTerm as number } : null;
    case 'voteResp':
      return typeof m.granted === 'boolean' ? { ...base, type: 'voteResp', granted: m.granted } : null;
    case 'app': {
      if (!num('prevIndex') || !num('prevTerm') || !num('commit') || !Array.isArray(m.entries)) return null;
      const prevIndex = m.prevIndex as number;
      const entries = m.entries as unknown[];
      const ok = entries.every((e, i) => {
        const r = e as Record<string, unknown> | null;
        return typeof r === 'object' && r !== null && r.index === prevIndex + 1 + i && typeof r.term === 'number';
      });
      if (!ok) return null;
      const clean = (entries as Entry[]).map((e) => ({ index: e.index, term: e.term, data: e.data ?? null }));
      return { ...base, type: 'app', prevIndex, prevTerm: m.prevTerm as number, entries: clean, commit: m.commit as number };
    }
    case 'appResp':
      return typeof m.success === 'boolean' && num('index') ? { ...base, type: 'appResp', success: m.success, index: m.index as number } : null;
    default:
      return null;
  }
}
