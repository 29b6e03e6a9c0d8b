// The view service of 6.824 lab 2 (2015) as one view server: it names the
// primary and backups of each numbered view, from pings alone. The rules are
// at the top of serviceLeader.ts, the invariants of what it remembers at the
// top of serviceState.ts; here the one server is always the leader, and
// applies each command the rules call for at once. (raftvs/ replicates the
// same state machine over three servers instead.)
//
// Outside the fault model: this server losing its memory. It then waits a
// dead interval before forming a first view and refuses to form any if a
// server reports a view it does not know ("wedged"), but if it hears from no
// old server in that interval it starts afresh, and two primaries become
// possible.
import type { Body, Env, Node } from '../runtime/env.ts';
import { Errors } from '../runtime/protocol.ts';
import { DEFAULT_BACKUPS, NO_VIEW, PING_INTERVAL_MS, primaryAnswer, viewFields, type View } from './config.ts';
import { ServiceLeader } from './serviceLeader.ts';
import { applyCommand, INITIAL_STATE, type ServiceCommand, type ServiceState } from './serviceState.ts';

/** What a ping carries, read leniently (a missing list is empty, a missing incarnation unknown). */
export interface Ping {
  viewnum: number;
  unreachable: string[];
  incarnation: string | null;
}

export function parsePing(body: Body): Ping | null {
  if (body.type !== 'ping' || typeof body.viewnum !== 'number') return null;
  const unreachable = Array.isArray(body.unreachable) ? body.unreachable.filter((u): u is string => typeof u === 'string') : [];
  return { viewnum: body.viewnum, unreachable, incarnation: typeof body.incarnation === 'string' ? body.incarnation : null };
}

/** Logs what an applied command changed. */
export function describeCommand(command: ServiceCommand, before: ServiceState): string {
  if (command.op === 'ack') return `${before.view.primary} acknowledged view ${command.viewnum}`;
  const v = command.view;
  return `view ${v.viewnum}: primary ${v.primary ?? '-'}, backup${v.backups.length > 1 ? 's' : ''} ${v.backups.join(',') || '-'}`;
}

export class ViewService implements Node {
  private state: ServiceState = INITIAL_STATE;
  private readonly leader: ServiceLeader;

  constructor(
    private readonly env: Env,
    options: { backups?: number } = {},
  ) {
    this.leader = new ServiceLeader((m) => env.log(m), options.backups ?? DEFAULT_BACKUPS);
    const tick = () => {
      this.leader.tick();
      this.settle();
      env.setTimer(PING_INTERVAL_MS, tick);
    };
    env.setTimer(PING_INTERVAL_MS, tick);
  }

  get view(): View {
    return this.state.view;
  }

  /** Has the primary of `view` pinged with its number? */
  get acked(): boolean {
    return this.state.acked;
  }

  /** Has a server reported a view this service does not know (it restarted under a live cluster)? */
  get wedged(): boolean {
    return this.leader.wedged(this.state);
  }

  receive(from: string, body: Body): void {
    const ping = parsePing(body);
    if (ping !== null) {
      this.leader.ping(this.state, from, ping.viewnum, ping.unreachable, ping.incarnation);
      this.settle();
      const hidden = this.leader.hidden(this.state, from, ping.incarnation);
      this.env.send(from, { type: 'view', in_reply_to: body.msg_id, ...viewFields(hidden ? NO_VIEW : this.state.view) });
    } else if (body.type === 'primary' || body.type === 'get_view') {
      this.env.send(from, primaryAnswer(body, this.state.view));
    } else if (typeof body.msg_id === 'number' && body.in_reply_to === undefined) {
      this.env.send(from, { type: 'error', in_reply_to: body.msg_id, code: Errors.notSupported.code, text: `the view server does not serve '${body.type}'` });
    }
  }

  /** Applies what the rules call for: an acknowledgement, then a change it allows, at most. */
  private settle(): void {
    for (let i = 0; i < 3; i++) {
      const command = this.leader.next(this.state);
      if (command === null) return;
      const next = applyCommand(this.state, command);
      if (next === this.state) throw new Error(`the view service's rules chose an illegal command: ${JSON.stringify(command)}`);
      this.env.log(describeCommand(command, this.state));
      this.state = next;
    }
  }
}
