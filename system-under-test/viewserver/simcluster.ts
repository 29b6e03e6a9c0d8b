// A view-server design (a view service, three servers, two coordinators) on
// the in-memory network, driven by simulated clients that record a history.
// Shared by the randomized safety test and by scenario tests, of this design
// and of its consensus-replicated variant (raftvs/), which differ only in the
// view service: a `SimDesign` says which nodes it is made of, how to build
// every node, and how a nemesis reads the view the service decided.
import { SimNetwork } from '../runtime/simnet.ts';
import type { Body, NodeFactory } from '../runtime/env.ts';
import { errorRegistry, type Value } from '../runtime/protocol.ts';
import type { RecordedOp } from '../testing/recorder.ts';
import { VIEW_SERVER_ID, type View } from './config.ts';
import { makeRoles, type DesignOptions } from './roles.ts';
import type { ViewService } from './viewservice.ts';

export const SERVERS = ['s1', 's2', 's3'];
export const COORDINATORS = ['c1', 'c2'];

export interface SimDesign {
  /** The view service's nodes (they run role `viewserver`). */
  viewServers: readonly string[];
  roles: Record<string, NodeFactory>;
  /** The view the service has decided, as a role-targeting nemesis would ask for it. */
  currentView(net: SimNetwork): View;
  /** The replica that leads the view service now, if any (the one view server, when not replicated). */
  viewServiceLeader(net: SimNetwork): string | null;
  /** Virtual time for the first views to form after a cold start. */
  warmupMs: number;
}

/** The single-view-server design, with options (planted bugs, backups). */
export function viewServerDesign(options: DesignOptions = {}): SimDesign {
  return {
    viewServers: [VIEW_SERVER_ID],
    roles: makeRoles(options),
    currentView: (net) => net.node<ViewService>(VIEW_SERVER_ID).view,
    viewServiceLeader: () => VIEW_SERVER_ID,
    warmupMs: 1000,
  };
}

export function nodesOf(design: SimDesign): string[] {
  return [...design.viewServers, ...SERVERS, ...COORDINATORS];
}

export function simCluster(seed: number, options: { linger?: number; reorder?: boolean; design?: SimDesign } = {}): SimNetwork {
  const design = options.design ?? viewServerDesign();
  const vs = design.viewServers;
  const net = new SimNetwork({ seed, reorder: options.reorder ?? true, linger: options.linger ?? 0 });
  for (const v of vs) net.add(v, vs.filter((o) => o !== v), design.roles.viewserver);
  for (const s of SERVERS) net.add(s, [...vs, ...SERVERS.filter((o) => o !== s)], design.roles.server);
  for (const c of COORDINATORS) net.add(c, [...vs, ...SERVERS], design.roles.coordinator);
  return net;
}

let nextMsg = 1;
/** Sends `body` from `endpoint` to `to` and runs the clock until a reply comes back or `maxMs` pass. */
export function request(net: SimNetwork, endpoint: string, to: string, body: Omit<Body, 'msg_id'>, maxMs = 5000): Body | null {
  const msgId = nextMsg++;
  net.send(endpoint, to, { ...body, msg_id: msgId } as Body);
  for (let t = 0; t <= maxMs; t += 10) {
    const reply = net.take(endpoint).find((b) => b.in_reply_to === msgId);
    if (reply !== undefined) return reply;
    net.advance(10);
  }
  return null;
}

interface Outstanding {
  op: RecordedOp;
  msgId: number;
}

/**
 * Simulated client processes p0..pN-1. Each sends one request at a time to a
 * coordinator and waits for its reply up to `timeoutMs` of virtual time
 * (then records `info` and continues as a fresh process, as Jepsen does).
 */
export class SimClients {
  readonly history: RecordedOp[] = [];
  private readonly outstanding = new Map<string, Outstanding>();
  private nextValue = 1;
  private nextMsg = 1;
  private nextProcess: number;
  private readonly processOf = new Map<string, number>();
  /** The last value the workload saw on each key (cas uses it, so a cas often matches). */
  private readonly lastSeen = new Map<string, Value>();
  private readonly reads: number;

  constructor(
    private readonly net: SimNetwork,
    private readonly endpoints: string[],
    private readonly keys: string[],
    private readonly timeoutMs = 5000,
    workload: { reads?: number } = {},
  ) {
    this.reads = workload.reads ?? 0.4;
    endpoints.forEach((e, i) => this.processOf.set(e, i));
    this.nextProcess = endpoints.length;
  }

  /** Collects replies and starts new requests; call between small clock steps. */
  step(issue: boolean): void {
    for (const endpoint of this.endpoints) {
      const pending = this.outstanding.get(endpoint);
      for (const reply of this.net.take(endpoint)) {
        if (pending === undefined || reply.in_reply_to !== pending.msgId) continue;
        this.complete(endpoint, pending, reply);
      }
      const still = this.outstanding.get(endpoint);
      if (still !== undefined && this.net.now - still.op.call > this.timeoutMs) {
        this.outstanding.delete(endpoint);
        still.op.return = this.net.now;
        this.history.push(still.op);
        this.processOf.set(endpoint, this.nextProcess++);
      }
      if (issue && !this.outstanding.has(endpoint)) this.invoke(endpoint);
    }
  }

  /** Records every request still waiting as `info` (it may have happened). */
  finish(): void {
    for (const { op } of this.outstanding.values()) this.history.push(op);
    this.outstanding.clear();
  }

  get idle(): boolean {
    return this.outstanding.size === 0;
  }

  private invoke(endpoint: string): void {
    const r = this.net.random;
    const key = this.keys[Math.floor(r() * this.keys.length)];
    const coordinator = COORDINATORS[Math.floor(r() * COORDINATORS.length)];
    const dice = r();
    const msgId = this.nextMsg++;
    let body: Body;
    let op: RecordedOp;
    const base = { process: this.processOf.get(endpoint)!, key, output: null, status: 'info' as const, call: this.net.now, return: Infinity };
    const writes = (1 - this.reads) * 0.6;
    if (dice < this.reads) {
      body = { type: 'read', msg_id: msgId, key };
      op = { ...base, f: 'read', input: null };
    } else if (dice < this.reads + writes) {
      const value = this.nextValue++;
      body = { type: 'write', msg_id: msgId, key, value };
      op = { ...base, f: 'write', input: value };
    } else {
      // Mostly the value last seen on this key, so the cas has a chance; sometimes a recent one.
      const seen = this.lastSeen.get(key);
      const from = seen != null && r() < 0.8 ? seen : Math.max(1, this.nextValue - 1 - Math.floor(r() * 3));
      const to = this.nextValue++;
      body = { type: 'cas', msg_id: msgId, key, from, to };
      op = { ...base, f: 'cas', input: [from, to] };
    }
    this.outstanding.set(endpoint, { op, msgId });
    this.net.send(endpoint, coordinator, body);
  }

  private complete(endpoint: string, pending: Outstanding, reply: Body): void {
    this.outstanding.delete(endpoint);
    const op = pending.op;
    op.return = this.net.now;
    if (reply.type !== 'error') {
      op.status = 'ok';
      if (op.f === 'read') op.output = (reply.value as Value) ?? null;
      this.lastSeen.set(op.key, op.f === 'read' ? op.output : op.f === 'write' ? (op.input as Value) : (op.input as [Value, Value])[1]);
    } else if (op.f === 'read' && reply.code === 20) {
      op.status = 'ok';
    } else if (errorRegistry.find((e) => e.code === reply.code)?.definite) {
      op.status = 'fail';
    } else {
      this.processOf.set(endpoint, this.nextProcess++);
    }
    this.history.push(op);
  }
}
