// The client driver contract: how the harness talks to a system's nodes,
// after Jepsen's client protocol (open a connection to one node, invoke
// operations on it, close it). The wire protocol is the built-in driver
// (wireClient.ts); a definition's `"client": "./myDriver.ts"` names a module
// of the user's own, which is how unmodified databases (etcd, Redis) are
// tortured through their own client libraries.
//
// A driver only has to say what happened. Everything that makes a history
// trustworthy is enforced here, once, for every driver: an exception or a
// call that outlives its time limit is `info` (it may have happened), never
// a crash or a guess; a reply the checker could not use is `info` marked
// unusable; a connection that could not be opened is `fail` (nothing was
// sent).
import { pathToFileURL } from 'node:url';
import { isValue } from '../../checkers/index.ts';
import type { Value } from '../../checkers/types.ts';
import type { ClientConnection } from '../engine/cluster.ts';
import type { Completion, RegisterKey, RegisterOp } from '../workloads/register.ts';

/** Where a connection goes: one node, at addresses the harness (not the node's peers) can reach. */
export interface DriverTarget {
  /** The node's id in the definition. */
  node: string;
  /** The node's client address ({listen}), as the harness reaches it (through its client link). */
  host: string;
  port: number;
  /** The node's named ports ({port:NAME}), as the harness reaches them, on `host`. */
  ports: Record<string, number>;
  /** The definition's `client.options`, as written ({} when none). */
  options: Record<string, unknown>;
}

/** One operation on one register: read (value null), write (the value), cas ([from, to]). */
export interface DriverOp {
  f: 'read' | 'write' | 'cas';
  key: RegisterKey;
  value: Value | [Value, Value];
}

/**
 * What became of an operation. `ok`: it happened (a read carries the value
 * it saw, null for a key never written); `fail`: it certainly did not happen
 * (a cas whose precondition did not hold is `{type: 'fail', error:
 * 'precondition-failed'}`); `info`: it may or may not have happened. When in
 * doubt, say info.
 */
export type DriverResult = { type: 'ok'; value?: Value } | { type: 'fail'; error: string } | { type: 'info'; error: string };

export interface DriverConnection {
  invoke(op: DriverOp, timeoutMs: number): Promise<DriverResult | Completion>;
  /** Optional: true once this connection can serve no more operations; the harness then opens a fresh one. */
  readonly closed?: boolean;
  close(): void | Promise<void>;
}

export interface ClientDriver {
  /** Opens a connection to one node. Throwing (or taking longer than timeoutMs) means nothing was sent. */
  open(target: DriverTarget, timeoutMs: number): Promise<DriverConnection>;
}

/** A driver module that cannot be used, named by the definition's `client` field. */
export class DriverLoadError extends Error {}

/**
 * Loads a driver module: its default export (or a named export `driver`) is
 * a ClientDriver. TypeScript modules load through tsx, which the harness runs
 * under; plain JavaScript too.
 */
export async function loadDriver(file: string): Promise<ClientDriver> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    throw new DriverLoadError(`cannot load client driver ${file}: ${(err as Error).message.split('\n')[0]}`);
  }
  const driver = (mod.default ?? mod.driver) as Partial<ClientDriver> | undefined;
  if (typeof driver !== 'object' || driver === null || typeof driver.open !== 'function') {
    throw new DriverLoadError(
      `client driver ${file} exports no driver: its default export (or an export named "driver") must be an object with open(target, timeoutMs) (see harness/client/driver.ts)`,
    );
  }
  return driver as ClientDriver;
}

/**
 * Opens a connection through a driver and wraps it into what the workload
 * uses. Never throws: a failed or overdue open is `{ error }`.
 */
export async function openDriverConnection(driver: ClientDriver, target: DriverTarget, timeoutMs: number): Promise<ClientConnection | { error: string }> {
  const opening = Promise.resolve().then(() => driver.open(target, timeoutMs));
  const out = await withTimeout(opening, timeoutMs).catch((err: unknown) => ({ thrown: err }));
  if (out === TIMED_OUT) {
    // A connection that arrives after the harness gave up is nobody's: close it.
    opening.then(closeQuietly, () => undefined);
    return { error: 'connect timeout' };
  }
  if ('thrown' in out) return { error: messageOf(out.thrown) };
  return wrapConnection(out);
}

function wrapConnection(conn: DriverConnection): ClientConnection {
  let closed = false;
  return {
    async invoke(op: RegisterOp, timeoutMs: number): Promise<Completion> {
      if (closed) return { type: 'fail', error: 'not sent: connection closed' };
      const call = Promise.resolve().then(() => conn.invoke({ f: op.f, key: op.key, value: op.value }, timeoutMs));
      let out: DriverResult | Completion | typeof TIMED_OUT;
      try {
        out = await withTimeout(call, timeoutMs);
      } catch (err) {
        return { type: 'info', error: `driver threw: ${messageOf(err)}` };
      }
      if (out === TIMED_OUT) return { type: 'info', error: 'timeout' };
      return checkResult(op, out);
    },
    get closed() {
      return closed || conn.closed === true;
    },
    close() {
      if (closed) return;
      closed = true;
      closeQuietly(conn);
    },
  };
}

/**
 * A driver's answer as the history may hold it. Anything else is info,
 * marked unusable so the run counts it: a driver bug must never become a
 * value the system seems to have returned.
 */
export function checkResult(op: Pick<RegisterOp, 'f' | 'value'>, out: unknown): Completion {
  const unusable = (error: string): Completion => ({ type: 'info', error, unusable: true });
  if (typeof out !== 'object' || out === null) return unusable(`driver returned ${preview(out)}, not {type: ok|fail|info}`);
  const r = out as { type?: unknown; value?: unknown; error?: unknown; unusable?: unknown };
  if (r.type === 'ok') {
    if (op.f !== 'read') return { type: 'ok', value: op.value };
    if (r.value === undefined) return unusable('driver answered a read ok without a value (null is the value of a key never written)');
    if (!isValue(r.value)) return unusable(`driver answered a read with ${preview(r.value)}, not a number, string or null`);
    return { type: 'ok', value: r.value };
  }
  const error = typeof r.error === 'string' && r.error !== '' ? r.error : r.type === 'fail' ? 'failed' : 'indefinite';
  if (r.type === 'fail') return { type: 'fail', error };
  if (r.type === 'info') return r.unusable === true ? { type: 'info', error, unusable: true } : { type: 'info', error };
  return unusable(`driver returned type ${preview(r.type)}, not ok, fail or info`);
}

const TIMED_OUT: unique symbol = Symbol('timed out');

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

function closeQuietly(conn: DriverConnection): void {
  try {
    void Promise.resolve(conn.close()).catch(() => undefined);
  } catch {
    /* a driver whose close throws has still been told to close */
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function preview(v: unknown, max = 60): string {
  const text = v === undefined ? 'undefined' : JSON.stringify(v) ?? String(v);
  return text.length > max ? `${text.slice(0, max)}...` : text;
}
