// One replica of the view service replicated by consensus: the answer to
// 6.824's "what happens if the view server fails?". Three replicas agree on
// the sequence of view-service commands (view changes and acknowledgements,
// ../viewserver/serviceState.ts) through Raft (../raft/raft.ts); each applies
// them in log order to the same state machine, and the Raft leader plays the
// single view server's deciding part (../viewserver/serviceLeader.ts). The
// servers and coordinators are the view-server design's own, pointed at three
// replicas instead of one (they follow the `leader` hint of every answer).
//
// Why it is safe (the invariants, referred to in code as RV1..RV5):
// RV1 The state machine changes only by committed commands, applied in log
//     order by every replica (Raft R1-R7), so every replica goes through the
//     same sequence of states, and V1-V4 of serviceState.ts hold for it: one
//     sequence of views, none left unacknowledged except keeping its primary.
// RV2 Whatever a replica tells anyone (a ping's reply, `primary_ok`) comes
//     from its applied state: a committed view, perhaps an old one, never an
//     uncommitted one, so no view a server acts on can be undone or its
//     number reused by a later leader. An old committed view is exactly what
//     a delayed reply from the single view server would carry, and the
//     servers' invariants already hold under delay (server.ts 2 and 5: a
//     server adopts only newer views, a backup refuses an old primary, only a
//     current server leads). So a follower may answer too. The one rule about
//     whom not to tell, a restarted primary (V4), is checked by every replica
//     against the replicated incarnations; a ping without an incarnation gets
//     the view only from the leader, whose soft state sees Ping(0) restarts.
// RV3 Only a ready leader decides (Raft's `leaderReady`: an entry of its own
//     term is committed, so it has applied every command an earlier leader
//     committed), one command at a time, against its applied state. Every
//     command is re-checked when applied (serviceState.ts), so one decided by
//     a leader deposed meanwhile and committed later changes nothing unless
//     it is still legal; and a legal change is safe whoever judged the primary
//     dead, as with the single view server misjudging a partition.
// RV4 Who is alive is the leader's soft state only: a new leader starts with
//     no opinion and decides nothing but acknowledgements for a dead interval
//     (STARTUP_TICKS). Acknowledgements, views and the members' incarnations
//     are replicated, so no leader contradicts what an earlier one decided,
//     and a member that restarted while the service had no leader is still
//     recognised (its incarnation differs from the replicated one).
// RV5 Term, vote and log are on disk before any message that depends on
//     them leaves (Raft R6, ../raft/wal.ts), so a replica killed and
//     restarted neither votes twice nor forgets an entry it acknowledged.
import type { Body, Env, Node } from '../runtime/env.ts';
import { Errors } from '../runtime/protocol.ts';
import { parseRaftMessage, Raft } from '../raft/raft.ts';
import { RaftWal } from '../raft/wal.ts';
import { DEFAULT_BACKUPS, NO_VIEW, PING_INTERVAL_MS, primaryAnswer, viewFields, type View } from '../viewserver/config.ts';
import { plantedSet, type Planted } from '../viewserver/planted.ts';
import { hiddenFrom, ServiceLeader } from '../viewserver/serviceLeader.ts';
import { applyCommand, INITIAL_STATE, isServiceCommand, type ServiceState } from '../viewserver/serviceState.ts';
import { describeCommand, parsePing } from '../viewserver/viewservice.ts';
import { ELECTION_TICKS, HEARTBEAT_TICKS, RAFT_TICK_MS, VIEW_SERVICE_REPLICAS } from './config.ts';

export interface ReplicaOptions {
  /** The view service's replicas, this one included. */
  members?: readonly string[];
  /** Backups per view. */
  backups?: number;
  /** Bugs planted on purpose, for measuring the tests (../viewserver/planted.ts). */
  planted?: Planted;
}

export class RaftViewService implements Node {
  private state: ServiceState = INITIAL_STATE;
  private readonly raft: Raft;
  private readonly wal: RaftWal;
  private readonly leader: ServiceLeader;
  /** Was this replica a ready leader after the last drain (to notice a new leadership)? */
  private leading = false;
  /** The index of this leader's command not yet applied (RV3: one at a time). */
  private pending: number | null = null;
  private readonly planted: Planted;

  constructor(
    private readonly env: Env,
    options: ReplicaOptions = {},
  ) {
    this.planted = options.planted ?? plantedSet();
    this.wal = new RaftWal(env.storage);
    const restored = this.wal.load();
    if (restored.records > 0) {
      env.log(`restored term ${restored.hardState.term}, vote ${restored.hardState.vote ?? '-'}, ${restored.entries.length} log entries${restored.tornTail ? ' (dropped a torn last record)' : ''}`);
    }
    this.raft = new Raft({
      id: env.id,
      members: options.members ?? VIEW_SERVICE_REPLICAS,
      electionTicks: ELECTION_TICKS,
      heartbeatTicks: HEARTBEAT_TICKS,
      random: () => env.random(),
      hardState: restored.hardState,
      entries: restored.entries,
      log: (m) => env.log(m),
    });
    this.leader = new ServiceLeader((m) => env.log(m), options.backups ?? DEFAULT_BACKUPS);
    const tick = () => {
      this.raft.tick();
      this.drain();
      env.setTimer(RAFT_TICK_MS, tick);
    };
    env.setTimer(RAFT_TICK_MS, tick);
    const liveness = () => {
      if (this.leading) {
        this.leader.tick();
        this.drain();
      }
      env.setTimer(PING_INTERVAL_MS, liveness);
    };
    env.setTimer(PING_INTERVAL_MS, liveness);
  }

  /** The committed view this replica has applied. */
  get view(): View {
    return this.state.view;
  }

  get acked(): boolean {
    return this.state.acked;
  }

  /** Is this replica the leader, ready to decide (RV3)? */
  get isLeader(): boolean {
    return this.raft.leaderReady;
  }

  get term(): number {
    return this.raft.term;
  }

  receive(from: string, body: Body): void {
    if (body.type === 'raft') {
      const m = parseRaftMessage(body.msg, from, this.env.id);
      if (m === null) return;
      this.raft.step(m);
      this.drain();
      return;
    }
    const ping = parsePing(body);
    if (ping !== null) {
      if (this.leading) {
        this.leader.ping(this.state, from, ping.viewnum, ping.unreachable, ping.incarnation);
        this.drain();
      }
      // RV2: any replica may answer with its committed view, keeping it from a restarted primary.
      const hidden = this.leading ? this.leader.hidden(this.state, from, ping.incarnation) : ping.incarnation === null || hiddenFrom(this.state, from, ping.incarnation);
      this.env.send(from, { type: 'view', in_reply_to: body.msg_id, ...viewFields(hidden ? NO_VIEW : this.state.view), leader: this.raft.lead });
      return;
    }
    switch (body.type) {
      case 'primary':
      case 'get_view':
        return this.env.send(from, primaryAnswer(body, this.state.view, { leader: this.raft.lead }));
      case 'status':
        // For tests and debugging: this replica's part in the consensus, read-only.
        return this.env.send(from, {
          type: 'status_ok',
          in_reply_to: body.msg_id,
          role: this.raft.role,
          ready: this.raft.leaderReady,
          term: this.raft.term,
          leader: this.raft.lead,
          commit: this.raft.commit,
          lastIndex: this.raft.log.lastIndex,
          view: this.state.view,
          acked: this.state.acked,
        });
      default:
        if (typeof body.msg_id === 'number' && body.in_reply_to === undefined) {
          this.env.send(from, { type: 'error', in_reply_to: body.msg_id, code: Errors.notSupported.code, text: `a view-service replica does not serve '${body.type}'` });
        }
    }
  }

  /**
   * The host's duties for Raft (raft.ts): persist, then send, then apply;
   * then, as a ready leader, propose what the rules call for, and go round
   * again until there is nothing left to do.
   */
  private drain(): void {
    for (let round = 0; round < 100; round++) {
      const rd = this.raft.ready();
      if (!this.planted.forgetfulDisk) this.wal.save(rd.hardState, rd.entries); // RV5: durable before the messages below leave
      for (const m of rd.messages) {
        const { from: _from, to, ...msg } = m;
        this.env.send(to, { type: 'raft', msg });
      }
      for (const e of this.planted.applyUncommitted ? rd.entries : rd.committed) this.apply(e.index, e.data);
      this.noticeLeadership();
      if (!this.propose()) return;
    }
    throw new Error('view-service replica: drain did not settle');
  }

  private apply(index: number, data: unknown): void {
    if (this.pending !== null && index >= this.pending) this.pending = null;
    if (data === null) return; // a leader's empty entry
    if (!isServiceCommand(data)) {
      this.env.log(`BUG: log entry ${index} is not a view-service command: ${JSON.stringify(data)}`);
      return;
    }
    const next = applyCommand(this.state, data); // RV1, RV3: re-checked on every replica
    if (next !== this.state) this.env.log(describeCommand(data, this.state));
    this.state = next;
  }

  private noticeLeadership(): void {
    const ready = this.raft.leaderReady;
    if (ready && !this.leading) {
      // RV4: a new leader knows nothing about who is alive, and waits a dead interval.
      this.leader.reset();
      this.env.log(`leading the view service in term ${this.raft.term}, at view ${this.state.view.viewnum}`);
    }
    if (!ready) this.pending = null;
    this.leading = ready;
  }

  /** RV3: one command at a time, by a ready leader, decided on its applied state. True if it proposed. */
  private propose(): boolean {
    if (!this.leading || this.pending !== null) return false;
    const command = this.leader.next(this.state);
    if (command === null) return false;
    this.pending = this.raft.propose(command);
    return this.pending !== null;
  }
}
