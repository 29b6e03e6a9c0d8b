// Where a node learns who it is: `--id --listen --peers` (and, for a node that
// keeps durable state, `--data DIR`) on the command line, or SPLITBRAIN_ID /
// SPLITBRAIN_LISTEN / SPLITBRAIN_PEERS / SPLITBRAIN_DATA in the environment
// (README, "System definitions"). Flags win over the environment.

export interface Address {
  host: string;
  port: number;
}

export interface NodeArgs {
  id: string;
  listen: Address;
  /** Peer id -> the address to dial (a proxy's, under the harness). */
  peers: Map<string, Address>;
  /** The node's data directory (Env's `storage`); null: none given. */
  data: string | null;
  /** Everything that was not one of the host's flags (e.g. a role). */
  rest: string[];
}

export class UsageError extends Error {}

export function parseAddress(text: string, what: string): Address {
  const m = /^([^:]+):(\d+)$/.exec(text.trim());
  if (m === null) throw new UsageError(`${what}: expected HOST:PORT, got '${text}'`);
  const port = Number(m[2]);
  if (port < 0 || port > 65535) throw new UsageError(`${what}: port out of range in '${text}'`);
  return { host: m[1], port };
}

export function parsePeers(text: string): Map<string, Address> {
  const peers = new Map<string, Address>();
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new UsageError(`--peers: expected ID=HOST:PORT, got '${part}'`);
    const id = part.slice(0, eq);
    if (peers.has(id)) throw new UsageError(`--peers: '${id}' appears twice`);
    peers.set(id, parseAddress(part.slice(eq + 1), `--peers ${id}`));
  }
  return peers;
}

export function parseNodeArgs(argv: string[], env: NodeJS.ProcessEnv): NodeArgs {
  const flags = new Map<string, string>();
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const name = a.startsWith('--') ? (eq > 0 ? a.slice(2, eq) : a.slice(2)) : '';
    if (name === 'id' || name === 'listen' || name === 'peers' || name === 'data') {
      if (eq > 0) flags.set(name, a.slice(eq + 1));
      else {
        if (i + 1 >= argv.length) throw new UsageError(`--${name} needs a value`);
        flags.set(name, argv[++i]);
      }
    } else rest.push(a);
  }
  const id = flags.get('id') ?? env.SPLITBRAIN_ID;
  const listen = flags.get('listen') ?? env.SPLITBRAIN_LISTEN;
  const peers = flags.get('peers') ?? env.SPLITBRAIN_PEERS ?? '';
  const data = flags.get('data') ?? env.SPLITBRAIN_DATA ?? '';
  if (id === undefined || id === '') throw new UsageError('missing --id (or SPLITBRAIN_ID)');
  if (listen === undefined || listen === '') throw new UsageError('missing --listen (or SPLITBRAIN_LISTEN)');
  const address = parseAddress(listen, '--listen');
  if (address.host !== '127.0.0.1' && address.host !== 'localhost') {
    throw new UsageError(`--listen: nodes bind loopback only, got host '${address.host}'`);
  }
  // A launcher that does not know {dir} passes it on as is: every node would share one directory
  // named "{dir}", and with it one log. Refuse rather than run like that.
  if (/\{[A-Za-z:]+\}/.test(data)) throw new UsageError(`--data: '${data}' holds a placeholder the launcher did not fill in`);
  return { id, listen: { host: '127.0.0.1', port: address.port }, peers: parsePeers(peers), data: data === '' ? null : data, rest };
}
