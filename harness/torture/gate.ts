// The gate's rule (DESIGN.md, torture exit codes): a system that claims to be
// linearizable must pass every run; a known-broken one must be caught. A
// broken design is not expected to break under every fault (naive replicas
// shrug off a pure latency fault), so it counts as caught when at least one of
// its runs in the same repetition of the matrix caught it; its other runs are
// "missed", not mismatches. An unknown verdict never counts as a pass, and a
// run that could not start fails the gate whatever the claim. Availability is
// judged apart from safety and only where the system claims it: a run under a
// nemesis the definition lists as "available" fails the gate when ok
// operations did not resume within its recoveryS.
import type { Verdict } from '../../checkers/types.ts';

export interface GateRun {
  /** Identifies the system (its definition file). */
  system: string;
  /** Which repetition of the matrix (--runs) this run belongs to. */
  repetition: number;
  /** True when the system claims to be linearizable. */
  expected: boolean;
  valid: Verdict | 'error';
  /** Set when the run broke an availability claim. */
  availabilityFailure?: string | null;
}

export type RunStanding = 'ok' | 'missed' | 'MISMATCH';

export function judge(runs: GateRun[]): { pass: boolean; standings: RunStanding[] } {
  const caught = new Set(runs.filter((r) => !r.expected && r.valid === false).map((r) => `${r.system}\u0000${r.repetition}`));
  const standings = runs.map((r): RunStanding => {
    if (r.valid === 'error' || (r.availabilityFailure ?? null) !== null) return 'MISMATCH';
    if (r.expected) return r.valid === true ? 'ok' : 'MISMATCH';
    if (r.valid === false) return 'ok';
    return caught.has(`${r.system}\u0000${r.repetition}`) ? 'missed' : 'MISMATCH';
  });
  return { pass: standings.every((s) => s !== 'MISMATCH'), standings };
}
