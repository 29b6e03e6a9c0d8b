// What nemeses and workloads act on: a running system, whichever engine runs
// it. Two engines implement it: real processes behind the fault proxy
// (harness/cluster/) and a deterministic simulation of Env nodes
// (harness/sim/). Code written against this interface (nemeses, the
// workload, the torture run) never learns which one it drives, so a failure
// found in simulation replays on processes with the same code.
import type { SystemDefinition } from '../system/definition.ts';
import type { Outcome } from '../client/wireConnection.ts';
import type { Completion, RegisterOp } from '../workloads/register.ts';

export type EngineName = 'processes' | 'sim';

export type PartitionMode = 'drop' | 'reset';

/**
 * Time as the harness's control loops see it: the wall clock for real
 * processes, the virtual clock under simulation. Loops that read Date.now()
 * or call setTimeout themselves cannot be simulated.
 */
export interface Clock {
  /** Milliseconds since the run's clock started; monotonic. */
  now(): number;
  /** Integer nanoseconds since the same start, for history timestamps. */
  nowNs(): number;
  /** Resolves after `ms` of this clock's time, or at once when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** A directed node-to-node link `A->B`, on which network faults act. */
export interface NodeLink {
  name: string;
  from: string;
  to: string;
}

/**
 * One logical client's connection to one client node. `invoke` never throws:
 * whatever goes wrong becomes a completion (fail when the operation certainly
 * did not happen, info when it may have).
 */
export interface ClientConnection {
  invoke(op: RegisterOp, timeoutMs: number): Promise<Completion>;
  /** True once the connection is gone (closed by either side); open a new one. */
  readonly closed: boolean;
  close(): void;
}

/** Link faults only a simulator can give exactly: per-message loss, duplication, reordering. */
export interface MessageFaults {
  /** Each message on these links is lost with probability p. */
  lose(links: NodeLink[], p: number): Promise<void>;
  /** Each message from B back to A on these links A->B (the answers to A's requests) is lost with probability p; A's own messages arrive. */
  loseAnswers(links: NodeLink[], p: number): Promise<void>;
  /** Each message on these links is delivered twice with probability p. */
  duplicate(links: NodeLink[], p: number): Promise<void>;
  /** Messages on these links are delivered in random order (and up to `spreadMs` late). */
  reorder(links: NodeLink[], spreadMs: number): Promise<void>;
}

export interface Cluster {
  readonly engine: EngineName;
  readonly def: SystemDefinition;
  readonly clock: Clock;
  nodeIds(): string[];
  /** Links between nodes (never the clients' links). */
  nodeLinks(): NodeLink[];
  /** Cuts each pair apart in both directions, wherever links exist; returns the names of the links cut. */
  cut(pairs: Array<[string, string]>, mode: PartitionMode): Promise<string[]>;
  addLatency(links: NodeLink[], latencyMs: number, jitterMs: number): Promise<void>;
  /**
   * Undoes every network fault. A heal that cannot be completed throws
   * (after retrying), so the history never says healed while a cut stands.
   */
  healNetwork(): Promise<void>;
  /** Names of links that still carry a fault. */
  activeNetworkFaults(): string[];
  /** Present when the engine can give message-level faults (the simulator). */
  readonly messageFaults?: MessageFaults;
  /** Crash: the node stops at once and loses what it had not persisted. */
  kill(id: string): Promise<void>;
  /** Starts a killed node again, and waits until it is ready. */
  restart(id: string): Promise<void>;
  /** The node stops running (SIGSTOP) but keeps its state and connections. */
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  /** Who is primary now, per the definition's `primary` field; null if unknown or unanswered. */
  primary(): Promise<string | null>;
  /**
   * Sends one request straight to a node, not through its client link (no
   * network fault touches it), and waits for the answer: the harness's own
   * questions (who is primary) and a test's (a node's state).
   */
  ask(node: string, body: Record<string, unknown>, timeoutMs: number): Promise<Outcome>;
  /** Opens a client connection to a client node; an error string when nothing could be sent. */
  connect(node: string, timeoutMs: number): Promise<ClientConnection | { error: string }>;
  stop(): Promise<void>;
}
