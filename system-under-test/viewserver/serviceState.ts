// What the view service must never forget, as a deterministic state machine:
// the current view, whether its primary acknowledged it, and the incarnation
// of each member when it was named. The single view server applies commands
// as soon as it decides them (viewservice.ts); the consensus-replicated one
// (raftvs/) applies them in log order once committed, on every replica. Pings,
// liveness and shunning are not here: they are the deciding replica's soft
// state (serviceLeader.ts), rebuilt by each new leader.
//
// Invariants of the state (every command is checked against them on apply, so
// a stale or duplicated command, e.g. one decided by a deposed leader and
// committed later, changes nothing):
// V1 Views are numbered 1, 2, 3, ... and each change goes from the current
//    number to the next one: one total sequence, never a number reused with
//    other members.
// V2 The service leaves a view its primary has not acknowledged only keeping
//    that primary; otherwise the new primary is the old primary or one of the
//    old backups (each of which holds the complete state, the primary having
//    finished their transfers before acknowledging). The first view has a
//    primary and no backup.
// V3 An acknowledgement counts only for the current view and only from the
//    incarnation of the primary that was named in it (a restarted primary's
//    pings acknowledge nothing).
// V4 Members are distinct, and each carries the incarnation it had when named
//    (null: a server whose pings carry none); a member whose pings show
//    another incarnation has restarted with empty state.
import { isView, members, NO_VIEW, type View } from './config.ts';

export interface ServiceState {
  view: View;
  /** Has the primary of `view` acknowledged it (V3)? */
  acked: boolean;
  /** Incarnation of each member of `view` when it was named (V4). */
  incarnations: Readonly<Record<string, string | null>>;
}

export const INITIAL_STATE: ServiceState = { view: NO_VIEW, acked: false, incarnations: {} };

export type ServiceCommand =
  | { op: 'view'; from: number; view: View; incarnations: Record<string, string | null> }
  | { op: 'ack'; viewnum: number; incarnation: string | null };

/** Do two incarnation ids name the same process? Unknown (null) matches anything. */
export function sameIncarnation(a: string | null | undefined, b: string | null | undefined): boolean {
  return a == null || b == null || a === b;
}

/** Why `command` may not be applied to `state`, or null if it may. */
export function refusal(state: ServiceState, command: ServiceCommand): string | null {
  const { view } = state;
  if (command.op === 'ack') {
    if (command.viewnum !== view.viewnum || view.viewnum === 0) return `ack of view ${command.viewnum}, current is ${view.viewnum}`;
    if (state.acked) return `view ${view.viewnum} is already acknowledged`;
    if (!sameIncarnation(command.incarnation, state.incarnations[view.primary!])) return `ack from another incarnation of ${view.primary}`;
    return null;
  }
  const next = command.view;
  if (command.from !== view.viewnum || next.viewnum !== view.viewnum + 1) return `change from view ${command.from} to ${next.viewnum}, current is ${view.viewnum}`; // V1
  const all = members(next);
  if (next.primary === null || new Set(all).size !== all.length) return `view ${next.viewnum} needs a primary and distinct members`; // V4
  if (all.some((m) => !Object.hasOwn(command.incarnations, m))) return `view ${next.viewnum} lacks a member's incarnation`;
  if (view.viewnum === 0) return next.backups.length === 0 ? null : 'the first view has no backup'; // V2
  if (!state.acked) return next.primary === view.primary ? null : `view ${view.viewnum} is not acknowledged: its primary must stay`; // V2
  if (next.primary !== view.primary && !view.backups.includes(next.primary)) return `${next.primary} was neither primary nor backup of view ${view.viewnum}`; // V2
  return null;
}

/** Applies `command` if it is legal; returns the new state (the same object when refused). */
export function applyCommand(state: ServiceState, command: ServiceCommand): ServiceState {
  if (refusal(state, command) !== null) return state;
  if (command.op === 'ack') return { ...state, acked: true };
  const incarnations: Record<string, string | null> = {};
  for (const m of members(command.view)) incarnations[m] = command.incarnations[m];
  return { view: { ...command.view, backups: [...command.view.backups] }, acked: false, incarnations };
}

export function isServiceCommand(x: unknown): x is ServiceCommand {
  if (typeof x !== 'object' || x === null) return false;
  const c = x as Record<string, unknown>;
  if (c.op === 'ack') return typeof c.viewnum === 'number' && (c.incarnation === null || typeof c.incarnation === 'string');
  return c.op === 'view' && typeof c.from === 'number' && typeof c.incarnations === 'object' && c.incarnations !== null && isView(c.view);
}
