// The placeholders of a node's command, in one place: which ones exist, how a
// definition is checked for them, and how the cluster fills them in. A
// placeholder is a word in braces, optionally with an argument after a colon
// (`{port:peer}`, `{peer-host:n1}`); other braces (JSON, a script after -e)
// are the command's own and stay as they are.

/** Filled in per node: what the node is told about itself and the others. */
export interface PlaceholderValues {
  id: string;
  /** This Node.js executable. */
  node: string;
  /** The node's data directory. */
  dir: string;
  /** Where the node listens: its address and its main port. */
  host: string;
  port: number;
  /** Its named ports, by name. */
  ports: Record<string, number>;
  /** `id=HOST:PORT,...`, one per connectsTo entry, as this node reaches them. */
  peers: string;
  /** The definition's `members` template filled for every node, joined. */
  members: string;
  /** How this node reaches another node's main port (a proxy, or the node's own address). */
  peer(id: string): { host: string; port: number } | undefined;
}

/** Placeholder words with no argument. */
export const SIMPLE_PLACEHOLDERS = ['id', 'listen', 'peers', 'node', 'dir', 'host', 'port', 'members'] as const;
/** Placeholder words that take an argument: a port name, or a node id. */
export const ARG_PLACEHOLDERS = ['port', 'peer-host', 'peer-port'] as const;

const PATTERN = /\{([A-Za-z][A-Za-z0-9_-]*)(?::([A-Za-z0-9_.-]*))?\}/g;

export interface PlaceholderUse {
  /** As written, with its braces. */
  text: string;
  word: string;
  arg?: string;
}

/** Every placeholder-shaped word in an argument. */
export function placeholdersIn(arg: string): PlaceholderUse[] {
  return [...arg.matchAll(PATTERN)].map((m) => ({ text: m[0], word: m[1], ...(m[2] !== undefined ? { arg: m[2] } : {}) }));
}

/** The argument with every placeholder filled in; a word the definition check let through is always known. */
export function fillPlaceholders(arg: string, v: PlaceholderValues): string {
  return arg.replace(PATTERN, (text, word: string, a: string | undefined) => {
    if (a === undefined) {
      switch (word) {
        case 'id':
          return v.id;
        case 'node':
          return v.node;
        case 'dir':
          return v.dir;
        case 'listen':
          return `${v.host}:${v.port}`;
        case 'host':
          return v.host;
        case 'port':
          return String(v.port);
        case 'peers':
          return v.peers;
        case 'members':
          return v.members;
      }
      return text;
    }
    if (word === 'port') return v.ports[a] !== undefined ? String(v.ports[a]) : text;
    const peer = v.peer(a);
    if (peer === undefined) return text;
    if (word === 'peer-host') return peer.host;
    if (word === 'peer-port') return String(peer.port);
    return text;
  });
}

/** What the template of `members` may use: only what is the same for every reader of the list. */
export const MEMBER_PLACEHOLDERS = ['id', 'host', 'port', 'listen'] as const;
