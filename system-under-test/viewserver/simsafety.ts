// The randomized safety run of a view-server design (this one, or raftvs/'s
// with its replicated view service) on the in-memory network, as data: a seed expands into a *schedule* (workload shape plus a
// list of timed nemesis episodes), and `simulate` plays a schedule against the
// real node code. Because the schedule is explicit, a failing one can be
// printed, replayed (SIM_SCHEDULE) and shrunk by dropping episodes.
//
// Why targeted nemeses rather than uniform noise: the bugs that matter in a
// primary/backup design are only visible in narrow shapes (Jepsen's lesson),
// and uniform noise rarely holds one long enough while the right operations
// run. Each episode kind below is a shape that makes one bug class observable:
// - depose: the primary loses the view server (and maybe its peers) but keeps
//   its clients, long enough (> DEAD_PINGS) for a new view to form, while the
//   coordinators' cached views still name it: a deposed primary that answers
//   anything from its own copy is caught by the next read.
// - pause: the primary sleeps across a view change and wakes up believing it
//   still leads.
// - split: the primary and one coordinator on one side, the view server, the
//   other servers and the other coordinator on the other; clients reach both.
// - lose-replies: servers' replies to coordinators are lost, so coordinators
//   retry an operation that already happened (duplicate detection must hold;
//   a cas applied twice or answered "failed" after it happened shows up).
// - crash (server or coordinator), cut-backup (the primary cannot reach its
//   backup), slow (latency on the primary's links) and noise (a pause, cut or
//   lossy link anywhere, the view server included) for everything else.
// - lonely start (a schedule option): only one server reaches the view server
//   at first, so the first view, which trusts its primary without a state
//   transfer, lasts while clients write and episodes strike its primary.
// - with a replicated view service only (its claims; a single view server
//   does not survive these): crash-vs (a replica, the leader more often than
//   not, killed and restarted with its disk), isolate-vs (a replica cut from
//   every node), pause-vs, and split-vs (the leader, the primary and one
//   coordinator on one side; the other replicas, servers and coordinator on
//   the other: the majority side must carry on, the minority serve nothing
//   stale).
// The workload is shaped to make stale or duplicated effects visible: one to
// three keys, unique written values, cas from the last value the workload saw.
import { seededRandom, type SimNetwork } from '../runtime/simnet.ts';
import type { RecordedOp } from '../testing/recorder.ts';
import { COORDINATORS, nodesOf, SERVERS, SimClients, simCluster, viewServerDesign, type SimDesign } from './simcluster.ts';

export type NemesisKind =
  | 'depose'
  | 'pause'
  | 'split'
  | 'lose-replies'
  | 'crash-server'
  | 'crash-coordinator'
  | 'cut-backup'
  | 'slow'
  | 'noise'
  | 'crash-vs'
  | 'isolate-vs'
  | 'pause-vs'
  | 'split-vs';

export interface Episode {
  /** Virtual ms after the warm-up (the design's `warmupMs`, when the first views have formed). */
  at: number;
  /** How long the fault lasts before it is undone. */
  ms: number;
  kind: NemesisKind;
  /** Kind-specific: depose also from the other servers; noise/lose-replies intensity etc. */
  arg: number;
}

export interface Schedule {
  /** Seeds the network (delivery order, latency jitter) and the workload. */
  seed: number;
  durationMs: number;
  keys: number;
  clients: number;
  /** Fraction of reads in the workload. */
  reads: number;
  /**
   * If > 0: the other servers cannot reach the view server from the start until this many ms
   * after the warm-up, so the first view (which has no backup and needs no state transfer) lasts
   * while clients write, and the episodes may crash or pause its primary.
   */
  lonelyStartMs?: number;
  episodes: Episode[];
}

const WEIGHTS: [NemesisKind, number][] = [
  ['depose', 5],
  ['pause', 2],
  ['split', 3],
  ['lose-replies', 3],
  ['crash-server', 1],
  ['crash-coordinator', 1],
  ['cut-backup', 1],
  ['slow', 1],
  ['noise', 2],
];
/** Drawn as well when the view service is replicated. */
const REPLICATED_VS_WEIGHTS: [NemesisKind, number][] = [
  ['crash-vs', 3],
  ['isolate-vs', 2],
  ['pause-vs', 2],
  ['split-vs', 3],
];

export interface ScheduleOptions {
  durationMs?: number;
  /** Draw the episodes a replicated view service claims to survive (crash-vs ...). */
  replicatedViewService?: boolean;
}

/** Expands a seed into a schedule (its own PRNG stream, so the schedule does not depend on the run). */
export function scheduleFor(seed: number, options: ScheduleOptions = {}): Schedule {
  const durationMs = options.durationMs ?? 6000;
  const weights = options.replicatedViewService ? [...WEIGHTS, ...REPLICATED_VS_WEIGHTS] : WEIGHTS;
  const r = seededRandom(seed ^ 0x5eed5eed);
  const total = weights.reduce((s, [, w]) => s + w, 0);
  const kind = (): NemesisKind => {
    let x = r() * total;
    for (const [k, w] of weights) if ((x -= w) < 0) return k;
    return 'noise';
  };
  const episodes: Episode[] = [];
  // Mostly one targeted fault at a time with quiet gaps (a view change must be able to complete
  // between them), sometimes overlapping ones.
  for (let at = Math.floor(r() * 500); at < durationMs - 500; ) {
    const ms = 400 + Math.floor(r() * 2600);
    episodes.push({ at, ms, kind: kind(), arg: r() });
    at += r() < 0.25 ? Math.floor(r() * ms) : ms + 200 + Math.floor(r() * 1200);
  }
  const lonelyStartMs = r() < 0.15 ? 500 + Math.floor(r() * 2500) : 0;
  // Half the time, strike the lonely primary while it is alone (its restart is the dangerous moment).
  if (lonelyStartMs > 0 && r() < 0.5) {
    episodes.push({ at: Math.floor(r() * lonelyStartMs), ms: 400 + Math.floor(r() * 1000), kind: 'crash-server', arg: 0.1 });
  }
  return { seed, durationMs, keys: 1 + Math.floor(r() * 3), clients: 3 + Math.floor(r() * 4), reads: 0.25 + r() * 0.5, lonelyStartMs, episodes };
}

/** Starts an episode's fault; returns how to undo it and a line for the fault log. */
function start(net: SimNetwork, design: SimDesign, e: Episode, clientIds: string[]): { undo: () => void; what: string } {
  // The nemesis may look at the view: it targets roles, as Jepsen's do.
  const view = design.currentView(net);
  const p = view.primary ?? SERVERS[0];
  const others = SERVERS.filter((s) => s !== p);
  const vs = design.viewServers;
  const nodes = nodesOf(design);
  // A replica to strike: the leader when e.arg says so (and there is one), another otherwise.
  const vsVictim = () => {
    const leader = design.viewServiceLeader(net);
    return leader !== null && e.arg < 0.6 ? leader : vs[Math.floor(e.arg * 1000) % vs.length];
  };
  const cutAll = (pairs: [string, string][]) => {
    for (const [a, b] of pairs) net.cut(a, b);
    return () => {
      for (const [a, b] of pairs) (net.drop(a, b, 0), net.drop(b, a, 0));
    };
  };
  switch (e.kind) {
    case 'depose': {
      const fromPeers = e.arg < 0.4;
      const pairs: [string, string][] = [...vs.map((v): [string, string] => [p, v]), ...(fromPeers ? others.map((o): [string, string] => [p, o]) : [])];
      const undoCut = cutAll(pairs);
      if (e.arg < 0.7) return { undo: undoCut, what: `depose ${p} (cut from vs${fromPeers ? ' and servers' : ''}, not from coordinators)` };
      // Coordinators only look for a new primary when the old one fails them. If it still
      // reaches its peers it may never fail anyone, so lose its replies to one coordinator:
      // that one moves to the new primary while the other keeps using the deposed one.
      const c = COORDINATORS[Math.floor(e.arg * 100) % COORDINATORS.length];
      net.drop(p, c, 1);
      return { undo: () => (undoCut(), net.drop(p, c, 0)), what: `depose ${p} (cut from vs, its replies to ${c} lost)` };
    }
    case 'pause':
      net.pause(p);
      return { undo: () => net.resume(p), what: `pause primary ${p}` };
    case 'split': {
      const [near, far] = e.arg < 0.5 ? COORDINATORS : [...COORDINATORS].reverse();
      const sideA = [p, near];
      const sideB = [...vs, ...others, far];
      const pairs = sideA.flatMap((a) => sideB.map((b): [string, string] => [a, b]));
      return { undo: cutAll(pairs), what: `split {${sideA}} | {${sideB}}` };
    }
    case 'lose-replies': {
      const rate = 0.3 + 0.6 * e.arg;
      for (const s of SERVERS) for (const c of COORDINATORS) net.drop(s, c, rate);
      return {
        undo: () => SERVERS.forEach((s) => COORDINATORS.forEach((c) => net.drop(s, c, 0))),
        what: `lose ${Math.round(rate * 100)}% of server replies to coordinators`,
      };
    }
    case 'crash-server':
    case 'crash-coordinator': {
      const pool = e.kind === 'crash-server' ? (e.arg < 0.5 ? [p] : SERVERS) : COORDINATORS;
      const victim = pool[Math.floor(e.arg * 2 * pool.length) % pool.length];
      net.crash(victim);
      return { undo: () => net.restart(victim), what: `crash ${victim}` };
    }
    case 'cut-backup': {
      const b = view.backups[0] ?? others[0];
      return { undo: cutAll([[p, b]]), what: `cut primary ${p} from backup ${b}` };
    }
    case 'slow': {
      const ms = 20 + Math.floor(e.arg * 400);
      const links = nodes.filter((n) => n !== p).flatMap((n): [string, string][] => [[p, n], [n, p]]);
      for (const [a, b] of links) net.latency(a, b, ms, ms);
      return { undo: () => links.forEach(([a, b]) => net.latency(a, b, 0)), what: `latency ${ms}±${ms} ms on ${p}'s links` };
    }
    case 'noise': {
      // One fault of the old uniform generator's kinds, on any node or link, clients included.
      const all = [...nodes, ...clientIds];
      const a = nodes[Math.floor(e.arg * nodes.length)];
      const b = all.filter((n) => n !== a)[Math.floor(net.random() * (all.length - 1))];
      const dice = net.random();
      if (dice < 0.25) {
        net.pause(a); // the view server included: it must not wake up and misjudge who is alive
        return { undo: () => net.resume(a), what: `pause ${a}` };
      }
      if (dice < 0.6) return { undo: cutAll([[a, b]]), what: `cut ${a} ${b}` };
      net.drop(a, b, 0.5);
      return { undo: () => net.drop(a, b, 0), what: `drop 50% ${a}->${b}` };
    }
    case 'crash-vs': {
      const victim = vsVictim();
      net.crash(victim);
      return { undo: () => net.restart(victim), what: `crash view-service replica ${victim} (restarts with its disk)` };
    }
    case 'isolate-vs': {
      const victim = vsVictim();
      return { undo: cutAll(nodes.filter((n) => n !== victim).map((n): [string, string] => [victim, n])), what: `isolate view-service replica ${victim}` };
    }
    case 'pause-vs': {
      const victim = vsVictim();
      net.pause(victim);
      return { undo: () => net.resume(victim), what: `pause view-service replica ${victim}` };
    }
    case 'split-vs': {
      const minority = vsVictim();
      const near = COORDINATORS[Math.floor(e.arg * 10) % COORDINATORS.length];
      const sideA = [minority, ...(e.arg < 0.8 ? [p] : []), near];
      const sideB = nodes.filter((n) => !sideA.includes(n));
      const pairs = sideA.flatMap((a) => sideB.map((b): [string, string] => [a, b]));
      return { undo: cutAll(pairs), what: `split {${sideA}} | {${sideB}}` };
    }
  }
}

export interface SimResult {
  history: RecordedOp[];
  /** What the nemesis did, at virtual times on the same clock as the node logs. */
  faults: string[];
  logs: string[];
}

const STEP_MS = 10;

export function simulate(schedule: Schedule, design: SimDesign = viewServerDesign()): SimResult {
  const net = simCluster(schedule.seed, { linger: 0.15, design });
  const warmupMs = design.warmupMs;
  const clientIds = Array.from({ length: schedule.clients }, (_, i) => `p${i}`);
  const keys = ['a', 'b', 'c'].slice(0, schedule.keys);
  const clients = new SimClients(net, clientIds, keys, 5000, { reads: schedule.reads });
  const faults: string[] = [];
  const undo: { at: number; run: () => void }[] = [];
  const lonely = schedule.lonelyStartMs ?? 0;
  if (lonely > 0) {
    const [first, ...rest] = SERVERS; // all ping at once at start; the service crowns the first
    const pairs = rest.flatMap((s) => design.viewServers.map((v): [string, string] => [s, v]));
    for (const [s, v] of pairs) net.cut(s, v);
    faults.push(`     0ms start (${warmupMs + lonely} ms) lonely start: only ${first} reaches the view service`);
    undo.push({ at: warmupMs + lonely, run: () => (pairs.forEach(([s, v]) => (net.drop(s, v, 0), net.drop(v, s, 0))), faults.push(`${String(net.now).padStart(6)}ms end lonely start`)) });
  }
  net.advance(warmupMs);
  const t0 = net.now;
  const pending = [...schedule.episodes].sort((x, y) => x.at - y.at);
  const end = t0 + schedule.durationMs;
  while (net.now < end) {
    clients.step(true);
    while (pending.length > 0 && pending[0].at + t0 <= net.now) {
      const e = pending.shift()!;
      const { undo: run, what } = start(net, design, e, clientIds);
      faults.push(`${String(net.now).padStart(6)}ms start (${e.ms} ms) ${what}`);
      undo.push({ at: net.now + e.ms, run: () => (run(), faults.push(`${String(net.now).padStart(6)}ms end ${what}`)) });
    }
    for (const job of undo.filter((j) => j.at <= net.now)) {
      undo.splice(undo.indexOf(job), 1);
      job.run();
    }
    net.advance(STEP_MS);
  }
  // Undo everything and let the clients finish what they started.
  for (const job of undo) job.run();
  net.heal();
  for (let i = 0; i < 1000 && !clients.idle; i++) {
    clients.step(false);
    net.advance(STEP_MS);
  }
  clients.finish();
  return { history: clients.history, faults, logs: net.logs };
}

/**
 * Greedy shrinking (delta debugging, one episode at a time): drops every
 * episode whose removal keeps the run failing, then trims the duration, within
 * a time budget. `fails` replays a candidate.
 */
export function shrink(schedule: Schedule, fails: (s: Schedule) => boolean, budgetMs = 20_000): Schedule {
  const deadline = Date.now() + budgetMs;
  let best = schedule;
  for (let changed = true; changed && Date.now() < deadline; ) {
    changed = false;
    for (let i = best.episodes.length - 1; i >= 0 && Date.now() < deadline; i--) {
      const candidate = { ...best, episodes: best.episodes.filter((_, j) => j !== i) };
      if (fails(candidate)) {
        best = candidate;
        changed = true;
      }
    }
  }
  const lastEnd = Math.max(0, ...best.episodes.map((e) => e.at + e.ms));
  for (let d = lastEnd + 500; d < best.durationMs && Date.now() < deadline; d += 500) {
    const candidate = { ...best, durationMs: d };
    if (fails(candidate)) {
      best = candidate;
      break;
    }
  }
  return best;
}

export function describeSchedule(s: Schedule): string {
  const lines = s.episodes.map((e) => `  at ${e.at} ms for ${e.ms} ms: ${e.kind} (arg ${e.arg.toFixed(3)})`);
  const lonely = s.lonelyStartMs ? `, lonely start for ${s.lonelyStartMs} ms` : '';
  return `seed ${s.seed}, ${s.durationMs} ms after the warm-up${lonely}, ${s.keys} key(s), ${s.clients} clients, ${Math.round(s.reads * 100)}% reads\n${lines.join('\n')}`;
}
