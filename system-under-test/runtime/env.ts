// The only world a store node sees. Node logic (view server, replicas,
// coordinators) is a handler over this interface and never touches sockets,
// Date.now(), setTimeout or Math.random itself, so the same code runs as a
// real process (host.ts, TCP) and inside the in-memory network (simnet.ts).
//
// Host duties (what every implementation of Env must guarantee):
// - Messages are delivered one at a time to `Node.receive`; a handler runs to
//   completion before the next message or timer is handed to the node.
// - `send` never throws and never blocks: it is fire-and-forget. A message can
//   be lost, delayed or delivered after later ones (reconnects, proxies,
//   pauses). Nodes must stay correct under all of that; only a *reply* tells a
//   sender anything.
// - `send(to, ...)` where `to` is a peer id goes out over the link this node
//   opened to that peer; where `to` is the `from` of a received message that
//   is not a peer (a client connection, or a node that connected to us), the
//   reply goes back on the connection it arrived on. Unknown destinations are
//   dropped.
// - `now()` is monotonic milliseconds; timers fire no earlier than asked, but
//   may fire arbitrarily late (a paused process, a slow machine).
// - `random()` is the node's only source of randomness: in [0, 1), seeded in
//   the simulator.
// - `storage` is the node's disk (see `Storage`): what a call wrote is durable
//   when the call returns, so a node that writes before it sends never sends
//   anything its next incarnation could contradict. It survives crash and
//   restart of the node; only an explicit fresh disk empties it.

/** A message body: a JSON object with a `type`. Wire ids (`msg_id`, `in_reply_to`) live here too. */
export interface Body {
  type: string;
  msg_id?: number;
  in_reply_to?: number;
  [field: string]: unknown;
}

export type TimerId = number;

/**
 * A node's durable files: small, named, whole. Synchronous, so a node stays a
 * plain state machine: it writes, and only then sends what depends on it.
 *
 * Host duties:
 * - `append` and `write` are durable before they return (the real host
 *   fsyncs the file, and on first creation its directory); a crash after the
 *   return loses nothing, a crash during the call may leave any prefix of an
 *   `append`'s data at the end of the file (a torn last line), and either the
 *   old or the new content for `write` (write to a temporary file, fsync,
 *   rename, fsync the directory).
 * - Names are plain file names (letters, digits, `.`, `_`, `-`); anything else
 *   throws. `read` of a name never written returns null.
 * - A host without a disk for this node (no `--data DIR`) throws on every
 *   call, saying so: a node that needs durable state must not run without it.
 */
export interface Storage {
  read(name: string): string | null;
  /** Appends `data` to the file (creating it); durable on return. */
  append(name: string, data: string): void;
  /** Replaces the file's whole content atomically; durable on return. */
  write(name: string, data: string): void;
}

export interface Env {
  /** This node's id (e.g. "s1"). */
  readonly id: string;
  /** The peers this node may open connections to (its `connectsTo`). */
  readonly peers: readonly string[];
  send(to: string, body: Body): void;
  now(): number;
  setTimer(ms: number, fn: () => void): TimerId;
  cancelTimer(id: TimerId): void;
  random(): number;
  log(message: string): void;
  /** This node's disk: survives crash and restart (host duties at `Storage`). */
  readonly storage: Storage;
}

/** What a host drives. `from` is a node id or a host-made client id such as "client#3". */
export interface Node {
  receive(from: string, body: Body): void;
}

export type NodeFactory = (env: Env) => Node;

/**
 * What a design's roles.ts exports (main.ts loads it; the simulator can too).
 * `roles` are the design as written. A design with settings also exports
 * `rolesFromArgs`, which builds the roles from a node's arguments after its
 * role name (e.g. `--backups 2`) and throws on ones it does not know; without
 * it, extra arguments are a usage error. Options a test passes (planted bugs)
 * go through the design's own role-building function, never through globals.
 */
export interface RolesModule {
  roles: Record<string, NodeFactory>;
  rolesFromArgs?: (args: readonly string[]) => Record<string, NodeFactory>;
}
