// Which runs `npm run torture` makes: the default matrix (every built-in
// design against the nemeses its system.json lists), the --quick CI gate, or
// what --system/--nemesis ask for. Durations live here too, so the table of
// what runs for how long is in one place.
import type { CycleTiming } from '../nemeses/cycles.ts';
import { builtinSystems, builtinName, loadSystem, type SystemDefinition } from '../system/definition.ts';

export interface Workload {
  timeLimitS: number;
  concurrency: number;
  keys: number;
  rate: number;
  opTimeoutMs: number;
  timing: CycleTiming;
  /** Quiet time after the final heal before the final reads. */
  recoveryMs: number;
  /** Time budget of the linearizability check. */
  checkTimeoutMs: number;
}

export interface Cell {
  system: SystemDefinition;
  nemesis: string;
  workload: Workload;
}

// Hot enough that operations on one key overlap all the time (bugs of plain
// concurrency, a racy cas or a lost update, show within seconds without any
// fault), and cool enough for a 2-core machine to run the built-in designs'
// processes, the proxy and the harness side by side.
export const defaultWorkload: Workload = {
  timeLimitS: 20,
  concurrency: 16,
  keys: 3,
  rate: 800,
  opTimeoutMs: 3000,
  timing: { quietMs: 3000, faultMs: 6000 },
  recoveryMs: 2000,
  checkTimeoutMs: 60_000,
};

/** The CI gate's shorter runs. */
export const quickWorkload: Workload = {
  ...defaultWorkload,
  timeLimitS: 12,
  timing: { quietMs: 2000, faultMs: 5000 },
  checkTimeoutMs: 30_000,
};

/** Nemesis when a system lists none. */
export const FALLBACK_NEMESES = ['partition'];

/**
 * The --quick gate, per built-in design: the fault that exposes each broken
 * design every time, and the faults that matter most for the correct one.
 * The broken designs must be caught in every run and the view-server design
 * must pass in every run: each entry here was chosen (and measured) for that.
 */
export const quickPlan: Record<string, Array<{ nemesis: string; workload?: Partial<Workload> }>> = {
  // The lecture's reason: concurrent writes through both coordinators reach the replicas in
  // opposite orders under latency, and reads through both see them disagree.
  naive: [{ nemesis: 'latency' }],
  // Halves with a coordinator on each side: one coordinator fails over to s2 while the
  // other stays with s1, and the servers cannot replicate to each other.
  failover: [{ nemesis: 'partition' }],
  // The correct design against the faults it was built for, including the lecture's worst
  // partition (primary cut from the view server only) and a primary that stalls and wakes.
  viewserver: [{ nemesis: 'isolate-primary' }, { nemesis: 'primary-viewserver' }, { nemesis: 'pause' }, { nemesis: 'kill' }],
  // The lecture's last question: the view service losing a replica, alone and with a server.
  raftvs: [{ nemesis: 'isolate-viewserver' }, { nemesis: 'kill-viewserver+kill' }],
};

export interface MatrixRequest {
  /** Built-in names or definition files, or definitions already made (--bin). */
  systems?: Array<string | SystemDefinition>;
  nemeses?: string[];
  quick: boolean;
  overrides: Partial<Workload>;
}

export function planMatrix(req: MatrixRequest): Cell[] {
  const base = req.quick ? quickWorkload : defaultWorkload;
  const names = req.systems ?? builtinSystems();
  const cells: Cell[] = [];
  for (const name of names) {
    const system = typeof name === 'string' ? loadSystem(name) : name;
    const builtin = builtinName(system);
    const plan: Array<{ nemesis: string; workload?: Partial<Workload> }> =
      req.nemeses !== undefined
        ? req.nemeses.map((nemesis) => ({ nemesis }))
        : req.quick && builtin !== undefined && quickPlan[builtin]
          ? quickPlan[builtin]
          : (system.nemeses ?? FALLBACK_NEMESES).map((nemesis) => ({ nemesis }));
    for (const p of plan) {
      cells.push({ system, nemesis: p.nemesis, workload: { ...base, ...p.workload, ...req.overrides } });
    }
  }
  return cells;
}
