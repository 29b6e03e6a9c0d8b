// What a nemesis is: something that, when started, breaks one thing in a
// running cluster and hands back how to undo it. The scheduler (cycles.ts)
// decides when; each nemesis (one file each) decides what. Target choices go
// through `ctx.pick`, drawn from the run's seed, so a seed replays them.
import type { Cluster, PartitionMode } from '../engine/cluster.ts';
import type { EngineName } from '../engine/cluster.ts';
import type { SystemDefinition } from '../system/definition.ts';

export interface NemesisContext {
  cluster: Cluster;
  /** A seeded choice in [0, n). */
  pick(n: number): number;
}

export interface Fault {
  /** Written into the history as `value` of the start and stop events. */
  value: Record<string, unknown>;
  heal(): Promise<void>;
}

export interface Nemesis {
  /** As written on the command line, e.g. `isolate-primary` or `partition:reset`. */
  name: string;
  /** The history's `f` is start-<kind> / stop-<kind>. */
  kind: string;
  start(ctx: NemesisContext): Promise<Fault>;
}

export interface NemesisFactory {
  summary: string;
  /** Whether `:drop` / `:reset` apply. */
  partitionModes: boolean;
  /** A reason this nemesis cannot run against the system on this engine, or null. */
  unsupported?(def: SystemDefinition, engine: EngineName): string | null;
  create(mode: PartitionMode): Omit<Nemesis, 'name'>;
}

/** Every pair (a, b) with a in `left` and b in `right`. */
export function pairsAcross(left: string[], right: string[]): Array<[string, string]> {
  return left.flatMap((a) => right.map((b): [string, string] => [a, b]));
}

/** A seeded shuffle (Fisher-Yates over ctx.pick). */
export function shuffled<T>(items: T[], ctx: NemesisContext): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = ctx.pick(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Cuts the given pairs and returns the fault that heals the network. */
export async function cutFault(ctx: NemesisContext, pairs: Array<[string, string]>, mode: PartitionMode, value: Record<string, unknown>): Promise<Fault> {
  const cut = await ctx.cluster.cut(pairs, mode);
  return { value: { ...value, mode, cut }, heal: () => ctx.cluster.healNetwork() };
}

/**
 * Nodes a process nemesis may target: the nodes that hold the system's state.
 * When the system has nodes besides its client-facing ones (stateless
 * coordinators in front of replicas), those are the targets; otherwise every
 * node is. `excludeViewserver` keeps a lone view server out of crash faults:
 * the 6.824 design assumes it never crashes, as the lecture does (the
 * kill-viewserver nemesis asks for that fault by name). A view service of
 * several replicas is meant to survive losing one, so its replicas stay in.
 */
export function stateNodes(def: SystemDefinition, opts: { excludeViewserver: boolean }): string[] {
  let nodes = def.nodes.filter((n) => !def.clientNodes.includes(n.id));
  if (nodes.length === 0) nodes = def.nodes;
  if (opts.excludeViewserver && def.nodes.filter((n) => n.role === 'viewserver').length === 1) {
    const rest = nodes.filter((n) => n.role !== 'viewserver');
    if (rest.length > 0) nodes = rest;
  }
  return nodes.map((n) => n.id);
}

/** The nodes of role `viewserver`: one view server, or the replicas of a replicated view service. */
export function viewserverNodes(def: SystemDefinition): string[] {
  return def.nodes.filter((n) => n.role === 'viewserver').map((n) => n.id);
}

/** Why a primary-targeted nemesis cannot run against `def`, or null. */
export function needsPrimary(def: SystemDefinition): string | null {
  return def.primary === undefined ? 'the system definition has no "primary" field to ask who is primary' : null;
}
