// A test network of Raft cores, as etcd's raft_test.go `network`: members are
// bare `Raft` state machines, each with a disk (its WAL on a MemoryStorage),
// messages wait in one queue until delivered, and faults are `cut`,
// `isolate`, `drop` (a probability), `heal`, and `crash`/`restart` (a
// restarted member reloads what it persisted, and only that). Every member is
// drained after each call, exactly as a host must (raft.ts, host duties), and
// what each member applied is kept for safety checks. Test support only.
import { seededRandom } from '../runtime/simnet.ts';
import { MemoryStorage } from '../runtime/storage.ts';
import type { Entry } from './log.ts';
import { Raft, type RaftMessage } from './raft.ts';
import { RaftWal } from './wal.ts';

export interface NetworkOptions {
  seed?: number;
  electionTicks?: number;
  heartbeatTicks?: number;
}

export class RaftNetwork {
  readonly members: string[];
  readonly random: () => number;
  readonly queue: RaftMessage[] = [];
  /** Every message delivered so far, in order (for transcripts). */
  readonly delivered: RaftMessage[] = [];
  /** What each member applied, in order, across its restarts (a restart applies from index 1 again). */
  readonly applied = new Map<string, Entry[]>();
  /** Leaders seen, by term: safety says at most one per term. */
  readonly leaders = new Map<number, Set<string>>();
  /** The first entry any member applied at each index: every later application must equal it. */
  readonly chosen = new Map<number, Entry>();
  /** Broken safety, as found while applying (state machine safety: one entry per index, forever). */
  readonly violations: string[] = [];
  private readonly rafts = new Map<string, Raft | null>();
  private readonly disks = new Map<string, MemoryStorage>();
  private readonly dropRates = new Map<string, number>();

  constructor(
    members: string[],
    private readonly options: NetworkOptions = {},
  ) {
    this.members = members;
    this.random = seededRandom(options.seed ?? 1);
    for (const id of members) {
      this.disks.set(id, new MemoryStorage());
      this.start(id);
    }
  }

  private start(id: string): void {
    const restored = new RaftWal(this.disks.get(id)!).load();
    this.applied.set(id, []);
    this.rafts.set(
      id,
      new Raft({
        id,
        members: this.members,
        electionTicks: this.options.electionTicks ?? 10,
        heartbeatTicks: this.options.heartbeatTicks ?? 1,
        random: this.random,
        hardState: restored.hardState,
        entries: restored.entries,
      }),
    );
  }

  raft(id: string): Raft {
    const r = this.rafts.get(id);
    if (r == null) throw new Error(`${id} is not running`);
    return r;
  }

  running(id: string): boolean {
    return this.rafts.get(id) != null;
  }

  /** The host's duties: persist, then send, then apply. */
  private drain(id: string): void {
    const r = this.rafts.get(id);
    if (r == null) return;
    const rd = r.ready();
    new RaftWal(this.disks.get(id)!).save(rd.hardState, rd.entries);
    this.queue.push(...structuredClone(rd.messages));
    for (const e of structuredClone(rd.committed)) {
      const applied = this.applied.get(id)!;
      if (e.index !== applied.length + 1) this.violations.push(`${id} applied index ${e.index} after ${applied.length}`);
      applied.push(e);
      const first = this.chosen.get(e.index);
      if (first === undefined) this.chosen.set(e.index, e);
      else if (JSON.stringify(first) !== JSON.stringify(e)) this.violations.push(`${id} applied ${JSON.stringify(e)} where ${JSON.stringify(first)} was applied before`);
    }
    if (r.role === 'leader') {
      const set = this.leaders.get(r.term) ?? new Set<string>();
      set.add(id);
      this.leaders.set(r.term, set);
    }
  }

  private act(id: string, fn: (r: Raft) => void): void {
    const r = this.rafts.get(id);
    if (r == null) return;
    fn(r);
    this.drain(id);
  }

  tick(id: string, n = 1): void {
    for (let i = 0; i < n; i++) this.act(id, (r) => r.tick());
  }

  /** Ticks every running member once, in order, delivering everything after each round. */
  tickAll(rounds = 1): void {
    for (let i = 0; i < rounds; i++) {
      for (const id of this.members) this.tick(id);
      this.stabilize();
    }
  }

  campaign(id: string): void {
    this.act(id, (r) => r.campaign());
  }

  propose(id: string, data: unknown): number | null {
    let index: number | null = null;
    this.act(id, (r) => (index = r.propose(data)));
    return index;
  }

  /** Delivers the first queued message (or the first matching `pred`); false if none. */
  deliver(pred: (m: RaftMessage) => boolean = () => true): boolean {
    const i = this.queue.findIndex(pred);
    if (i < 0) return false;
    const [m] = this.queue.splice(i, 1);
    const p = this.dropRates.get(`${m.from}->${m.to}`) ?? 0;
    if (p > 0 && (p >= 1 || this.random() < p)) return true;
    if (!this.running(m.to)) return true;
    this.delivered.push(m);
    this.act(m.to, (r) => r.step(m));
    return true;
  }

  /** Delivers until no message is left. */
  stabilize(limit = 100_000): void {
    for (let n = 0; this.deliver(); n++) if (n > limit) throw new Error('stabilize: no quiet after many messages');
  }

  drop(from: string, to: string, p: number): void {
    this.dropRates.set(`${from}->${to}`, p);
  }

  cut(a: string, b: string): void {
    this.drop(a, b, 1);
    this.drop(b, a, 1);
  }

  isolate(a: string): void {
    for (const b of this.members) if (b !== a) this.cut(a, b);
  }

  heal(): void {
    this.dropRates.clear();
  }

  /** Kills a member: its memory is gone, its disk stays, messages to it are lost. */
  crash(id: string): void {
    this.rafts.set(id, null);
  }

  restart(id: string): void {
    this.start(id);
  }

  /** The leader all running members agree on, if any. */
  leader(): string | null {
    const leaders = this.members.filter((id) => this.running(id) && this.raft(id).role === 'leader');
    if (leaders.length === 0) return null;
    const top = leaders.reduce((a, b) => (this.raft(a).term >= this.raft(b).term ? a : b));
    return top;
  }
}
