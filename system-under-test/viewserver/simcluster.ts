// The whole view-server design (view server, three servers, two coordinators)
// on the in-memory network, driven by simulated clients that record a
// history. Shared by the randomized safety test and by scenario tests.
import { SimNetwork } from '../runtime/simnet.ts';
import type { Body } from '../runtime/env.ts';
import { errorRegistry, type Value } from '../runtime/protocol.ts';
import type { RecordedOp } from '../testing/linearizability.ts';
import { roles } from './roles.ts';

export const SERVERS = ['s1', 's2', 's3'];
export const COORDINATORS = ['c1', 'c2'];
export const NODES = ['vs', ...SERVERS, ...COORDINATORS];

export function simCluster(seed: number, options: { linger?: number; reorder?: boolean } = {}): SimNetwork {
  const net = new SimNetwork({ seed, reorder: options.reorder ?? true, linger: options.linger ?? 0 });
  net.add('vs', [], roles.viewserver);
  for (const s of SERVERS) net.add(s, ['vs', ...SERVERS.filter((o) => o !== s)], roles.server);
  for (const c of COORDINATORS) net.add(c, ['vs', ...SERVERS], roles.coordinator);
  return net;
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

  constructor(
    private readonly net: SimNetwork,
    private readonly endpoints: string[],
    private readonly keys: string[],
    private readonly timeoutMs = 5000,
  ) {
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
    if (dice < 0.4) {
      body = { type: 'read', msg_id: msgId, key };
      op = { ...base, f: 'read', input: null };
    } else if (dice < 0.75) {
      const value = this.nextValue++;
      body = { type: 'write', msg_id: msgId, key, value };
      op = { ...base, f: 'write', input: value };
    } else {
      const from = Math.max(1, this.nextValue - 1 - Math.floor(r() * 3));
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
