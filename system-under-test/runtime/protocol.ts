// The client wire protocol (PROTOCOL.md): request and reply bodies and the one
// error registry. `definite` says whether an error proves the operation did not
// and will not take effect; PROTOCOL.md's table is kept equal to this registry
// by protocol.test.ts.
import type { Body } from './env.ts';

export interface ErrorKind {
  code: number;
  name: string;
  definite: boolean;
  meaning: string;
}

const registry: ErrorKind[] = [];
function define(code: number, name: string, definite: boolean, meaning: string): ErrorKind {
  if (registry.some((e) => e.code === code || e.name === name)) throw new Error(`duplicate error ${code} ${name}`);
  const kind = { code, name, definite, meaning };
  registry.push(kind);
  return kind;
}

export const Errors = {
  timeout: define(0, 'timeout', false, 'no answer in time; the operation may or may not have happened'),
  notSupported: define(10, 'not-supported', true, 'this node does not serve that request type; nothing was done'),
  malformedRequest: define(12, 'malformed-request', true, 'the request could not be parsed; nothing was done'),
  temporarilyUnavailable: define(11, 'temporarily-unavailable', true, 'not executed (no primary, not primary, not ready); safe to retry'),
  crash: define(13, 'crash', false, 'indefinite failure: the operation may or may not have happened'),
  keyDoesNotExist: define(20, 'key-does-not-exist', true, 'read of a key that was never written'),
  preconditionFailed: define(22, 'precondition-failed', true, 'cas found a different value; nothing changed'),
} as const;

export const errorRegistry: readonly ErrorKind[] = registry;

export type Value = number | string | null;

/** A client operation, as carried between coordinator and servers. */
export type Op =
  | { f: 'read'; key: string }
  | { f: 'write'; key: string; value: Value }
  | { f: 'cas'; key: string; from: Value; to: Value };

/** An operation's outcome: the reply body to give the client, without ids. */
export type Outcome =
  | { type: 'read_ok'; value: Value }
  | { type: 'write_ok' }
  | { type: 'cas_ok' }
  | { type: 'error'; code: number; text: string };

export function errorOutcome(kind: ErrorKind, text: string): Outcome {
  return { type: 'error', code: kind.code, text };
}

export function isDefiniteError(outcome: Outcome): boolean {
  if (outcome.type !== 'error') return false;
  return errorRegistry.find((e) => e.code === outcome.code)?.definite ?? false;
}

/** Parses a client request body; returns a text saying what is wrong otherwise. */
export function parseOp(body: Body): Op | string {
  const key = body.key;
  if (typeof key !== 'string' && typeof key !== 'number') return `${body.type} needs a key`;
  const k = String(key);
  switch (body.type) {
    case 'read':
      return { f: 'read', key: k };
    case 'write':
      if (!isValue(body.value)) return 'write needs a value';
      return { f: 'write', key: k, value: body.value };
    case 'cas':
      if (!isValue(body.from) || !isValue(body.to)) return 'cas needs from and to';
      return { f: 'cas', key: k, from: body.from, to: body.to };
    default:
      return `unknown request type '${body.type}'`;
  }
}

function isValue(v: unknown): v is Value {
  return v === null || typeof v === 'number' || typeof v === 'string';
}

export function isClientRequest(body: Body): boolean {
  return body.type === 'read' || body.type === 'write' || body.type === 'cas';
}

/** Applies an operation to a key-value map (mutating it) and returns its outcome. */
export function applyOp(data: Map<string, Value>, op: Op): Outcome {
  switch (op.f) {
    case 'read':
      return data.has(op.key)
        ? { type: 'read_ok', value: data.get(op.key) ?? null }
        : errorOutcome(Errors.keyDoesNotExist, `key ${op.key} does not exist`);
    case 'write':
      data.set(op.key, op.value);
      return { type: 'write_ok' };
    case 'cas': {
      if (!data.has(op.key)) return errorOutcome(Errors.keyDoesNotExist, `key ${op.key} does not exist`);
      const current = data.get(op.key) ?? null;
      if (current !== op.from) return errorOutcome(Errors.preconditionFailed, `expected ${op.from}, found ${current}`);
      data.set(op.key, op.to);
      return { type: 'cas_ok' };
    }
  }
}

/** The reply body for a client request. */
export function replyBody(inReplyTo: number | undefined, outcome: Outcome): Body {
  // `{ ...outcome, in_reply_to: inReplyTo }`, built as Rpc.call builds its messages (see there).
  const body: Body = Object.assign({}, outcome);
  body.in_reply_to = inReplyTo;
  return body;
}
