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

/** A message body: a JSON object with a `type`. Wire ids (`msg_id`, `in_reply_to`) live here too. */
export interface Body {
  type: string;
  msg_id?: number;
  in_reply_to?: number;
  [field: string]: unknown;
}

export type TimerId = number;

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
}

/** What a host drives. `from` is a node id or a host-made client id such as "client#3". */
export interface Node {
  receive(from: string, body: Body): void;
}

export type NodeFactory = (env: Env) => Node;
