// Loads and validates a system definition (README, "System definitions").
// A user's mistake here must read as a sentence naming the file and the
// field, never as a stack trace, so every check below produces a
// DefinitionError with both.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ARG_PLACEHOLDERS, MEMBER_PLACEHOLDERS, placeholdersIn, SIMPLE_PLACEHOLDERS } from './placeholders.ts';

export type Claim = 'linearizable' | 'not-linearizable';

/**
 * How the harness talks to the nodes. `tcp`: each node listens on {listen}
 * and speaks the client wire protocol; `maelstrom`: each node is a Maelstrom
 * program speaking JSON envelopes on stdin and stdout (harness/maelstrom/).
 */
export type NodeProtocol = 'tcp' | 'maelstrom';
export const NODE_PROTOCOLS: readonly NodeProtocol[] = ['tcp', 'maelstrom'];

/** Maelstrom's naming: servers n1, n2, ...; clients c1, c2, ... (c0 is the harness); services by name. */
export const MAELSTROM_NODE_ID = /^n[0-9]+$/;
export const MAELSTROM_SERVICES = ['lin-kv', 'seq-kv', 'lww-kv', 'lin-tso'] as const;

export interface NodeDefinition {
  id: string;
  role: string;
  connectsTo: string[];
  command: string[];
  /** Named ports besides the main one ({port:NAME}): the system's `ports` and the node's own. */
  ports?: string[];
  /** Commands run to completion before the node's first start (each must exit 0), and after its last stop. */
  setup?: string[][];
  teardown?: string[][];
}

/**
 * How faults reach the links between nodes. `proxy`: a fault proxy on every
 * directed link A->B (nodes are told proxy addresses). `kernel`: every node
 * in a network namespace of its own with an address of its own, partitions
 * as packet-filter rules in those namespaces (harness/cluster/kernelNetwork.ts),
 * for systems whose nodes must all see one another at the same addresses.
 */
export type NetworkBackend = 'proxy' | 'kernel';
export const NETWORK_BACKENDS: readonly NetworkBackend[] = ['proxy', 'kernel'];

/**
 * When a (TCP) node is ready: it accepts connections on its main port or a
 * named one, a read through the client driver answers, or a command (run in
 * the node's namespace, placeholders filled for the node) exits 0.
 */
export type Readiness = { tcp: string | null } | { client: true } | { command: string[] };

export type PrimarySource = { static: string } | { ask: string };

export interface SystemDefinition {
  name: string;
  claims: Claim;
  /** Absent means 'tcp' (definitions built in code predate the field). */
  protocol?: NodeProtocol;
  /** Absent means 'proxy'. */
  network?: NetworkBackend;
  /** A client driver module (harness/client/driver.ts) and its options; absent: the wire protocol. */
  client?: { module: string; options: Record<string, unknown> };
  /** `{members}`: `each` filled for every node, joined by `join` (etcd's --initial-cluster). */
  members?: { each: string; join: string };
  /** Absent means `{ tcp: null }`: the main port accepts connections. */
  ready?: Readiness;
  nodes: NodeDefinition[];
  clientNodes: string[];
  primary?: PrimarySource;
  /** For a replicated view service: the nodes to ask who leads it (see nemeses/viewserverFaults.ts). */
  leader?: { ask: string[] };
  nemeses?: string[];
  /**
   * How the nodes run in the simulator (`--sim`): a module exporting
   * `roles`, node factories over Env keyed by role name (or, when `args` are
   * given, `rolesFromArgs(args)`: the options the nodes' commands pass, such
   * as `--backups 2`). Absent for systems given only as commands.
   */
  simulation?: { roles: string; args?: string[] };
  /** Nemesis runs (as written on the command line) under which the system claims to stay available. */
  available: string[];
  /** Under those, ok operations must resume within this many seconds of each fault starting (default 5). */
  recoveryS: number;
  /** Absolute path of the definition file; for a `--bin` system, the flags that made it. */
  file: string;
  /** Set when the system came from `torture --bin CMD --node-count N` rather than a file. */
  bin?: { command: string; nodeCount: number };
  /** Commands run from here (the definition file's folder). */
  dir: string;
}

export class DefinitionError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'DefinitionError';
  }
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const builtinDir = join(repoRoot, 'system-under-test');
const nodeIdPattern = /^[A-Za-z0-9_.-]+$/;

/** The built-in designs: every folder of system-under-test/ holding a system.json. */
export function builtinSystems(): string[] {
  if (!existsSync(builtinDir)) return [];
  return readdirSync(builtinDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(builtinDir, d.name, 'system.json')))
    .map((d) => d.name)
    .sort();
}

/** The folder name of a design shipped in system-under-test/, or undefined for a user's system. */
export function builtinName(def: SystemDefinition): string | undefined {
  return dirname(dirname(def.file)) === builtinDir && basename(def.file) === 'system.json' ? basename(def.dir) : undefined;
}

/** Resolves a built-in name or a path to the definition file. */
export function resolveSystem(nameOrPath: string): string {
  const builtin = join(builtinDir, nameOrPath, 'system.json');
  if (nodeIdPattern.test(nameOrPath) && existsSync(builtin)) return builtin;
  const asPath = resolve(nameOrPath);
  if (existsSync(asPath)) return asPath;
  const known = builtinSystems();
  throw new DefinitionError(
    nameOrPath,
    `no such file, and not a built-in system (built-in: ${known.length > 0 ? known.join(', ') : 'none found'})`,
  );
}

export function loadSystem(nameOrPath: string): SystemDefinition {
  const file = resolveSystem(nameOrPath);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new DefinitionError(file, `cannot read: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new DefinitionError(file, `not valid JSON: ${(err as Error).message}${jsonErrorLine(text, err)}`);
  }
  return parseSystem(raw, file);
}

/** Validates an already-parsed definition; `file` names it in errors and anchors relative commands. */
export function parseSystem(raw: unknown, file: string): SystemDefinition {
  const fail = (problem: string): never => {
    throw new DefinitionError(file, problem);
  };
  if (!isObject(raw)) fail('the top level must be a JSON object');
  const obj = raw as Record<string, unknown>;
  const known = [
    'name', 'claims', 'protocol', 'nodes', 'clientNodes', 'primary', 'leader', 'nemeses', 'network', 'client', 'ports', 'members', 'ready',
    'simulation', 'available', 'recoveryS', 'description', '$comment',
  ];
  for (const k of Object.keys(obj)) {
    if (!known.includes(k)) fail(`unknown field "${k}" (fields: ${known.slice(0, 7).join(', ')})`);
  }
  const protocol = obj.protocol ?? 'tcp';
  if (!NODE_PROTOCOLS.includes(protocol as NodeProtocol)) {
    fail(`"protocol" must be ${NODE_PROTOCOLS.map((p) => `"${p}"`).join(' or ')}, got ${JSON.stringify(protocol)}`);
  }
  const maelstrom = protocol === 'maelstrom';
  const network = obj.network ?? 'proxy';
  if (!NETWORK_BACKENDS.includes(network as NetworkBackend)) {
    fail(`"network" must be ${NETWORK_BACKENDS.map((p) => `"${p}"`).join(' or ')}, got ${JSON.stringify(network)}`);
  }
  if (maelstrom && network !== 'proxy') fail('"network": "kernel" is for TCP nodes; Maelstrom nodes talk through the harness\'s relays, which the proxies fault');
  // Placeholders a command may use: a Maelstrom node listens nowhere and learns its peers from init.
  const placeholders: readonly string[] = maelstrom ? ['id', 'node', 'dir'] : SIMPLE_PLACEHOLDERS;
  const portNames = (v: unknown, where: string): string[] => {
    if (v === undefined) return [];
    if (!Array.isArray(v) || !v.every((p) => typeof p === 'string' && /^[a-z][a-z0-9_-]*$/.test(p))) {
      fail(`${where} must be an array of port names (lowercase letters, digits, "-", "_"), e.g. ["peer"]`);
    }
    if (new Set(v as string[]).size !== (v as string[]).length) fail(`${where} names a port twice`);
    return v as string[];
  };
  if (maelstrom && obj.ports !== undefined) fail('"ports": a Maelstrom node listens nowhere');
  const systemPorts = portNames(obj.ports, '"ports"');
  const name = obj.name;
  if (typeof name !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(name)) {
    fail('"name" must be a non-empty string of letters, digits, "-", "_" or "."');
  }
  const claims = obj.claims;
  if (claims !== 'linearizable' && claims !== 'not-linearizable') {
    fail(`"claims" must be "linearizable" or "not-linearizable", got ${JSON.stringify(claims)}`);
  }
  if (!isObject(obj.nodes) || Object.keys(obj.nodes as object).length === 0) {
    fail('"nodes" must be an object with at least one node, keyed by node id');
  }
  const rawNodes = obj.nodes as Record<string, unknown>;
  const ids = Object.keys(rawNodes);
  const nodes: NodeDefinition[] = ids.map((id) => {
    const where = `nodes.${id}`;
    if (!nodeIdPattern.test(id) || id === 'client' || id === 'nemesis') {
      fail(`node id "${id}" must be letters, digits, "-", "_" or "." and not "client" or "nemesis"`);
    }
    if (maelstrom && !MAELSTROM_NODE_ID.test(id)) {
      fail(`node id "${id}": Maelstrom nodes are named n1, n2, ... (c1, c2, ... are clients; ${MAELSTROM_SERVICES.join(', ')} are services)`);
    }
    const n = rawNodes[id];
    if (!isObject(n)) fail(`${where} must be an object with role, connectsTo and command`);
    const node = n as Record<string, unknown>;
    const nodeFields = ['role', 'connectsTo', 'command', 'ports', 'setup', 'teardown'];
    for (const k of Object.keys(node)) {
      if (!nodeFields.includes(k)) fail(`${where}: unknown field "${k}" (fields: ${nodeFields.join(', ')})`);
    }
    const role = node.role ?? 'server';
    if (typeof role !== 'string') fail(`${where}.role must be a string`);
    // Maelstrom nodes may message any node, as in Maelstrom's own network, unless the definition narrows it.
    const connectsTo = node.connectsTo ?? (maelstrom ? ids.filter((other) => other !== id) : []);
    if (!Array.isArray(connectsTo) || !connectsTo.every((c) => typeof c === 'string')) {
      fail(`${where}.connectsTo must be an array of node ids`);
    }
    for (const peer of connectsTo as string[]) {
      if (!ids.includes(peer)) fail(`${where}.connectsTo names "${peer}", which is not a node (nodes: ${ids.join(', ')})`);
      if (peer === id) fail(`${where}.connectsTo names the node itself`);
    }
    if (new Set(connectsTo as string[]).size !== (connectsTo as string[]).length) fail(`${where}.connectsTo lists a node twice`);
    const command = node.command;
    // An argument may be empty (redis-server --save ""); the program's name may not.
    if (!Array.isArray(command) || command.length === 0 || !command.every((c) => typeof c === 'string') || command[0] === '') {
      fail(
        `${where}.command must be a non-empty array of strings (argv), e.g. ${maelstrom ? '["python3", "my_node.py"]' : '["{node}", "server.js", "--listen", "{listen}"]'}`,
      );
    }
    if (!maelstrom && !(command as string[]).some((c) => c.includes('{listen}') || c.includes('{port}'))) {
      fail(`${where}.command never mentions {listen} (or {port}): the node must be told where to listen`);
    }
    if (maelstrom && node.ports !== undefined) fail(`${where}.ports: a Maelstrom node listens nowhere`);
    const ports = [...systemPorts, ...portNames(node.ports, `${where}.ports`).filter((p) => !systemPorts.includes(p))];
    const checkArgv = (argv: string[], what: string) => {
      for (const arg of argv) {
        for (const use of placeholdersIn(arg)) {
          const problem = placeholderProblem(use, { placeholders, maelstrom, ports, ids, connectsTo: connectsTo as string[], kernel: network === 'kernel', id });
          if (problem !== null) fail(`${what} uses ${problem}`);
        }
      }
    };
    checkArgv(command as string[], `${where}.command`);
    const commands = (v: unknown, field: string): string[][] => {
      if (v === undefined) return [];
      if (!Array.isArray(v) || !v.every((c) => Array.isArray(c) && c.length > 0 && c.every((a) => typeof a === 'string') && c[0] !== '')) {
        fail(`${where}.${field} must be an array of commands, each a non-empty argv array, e.g. [["sh", "-c", "echo hi > {dir}/hello"]]`);
      }
      (v as string[][]).forEach((argv, i) => checkArgv(argv, `${where}.${field}[${i}]`));
      return v as string[][];
    };
    const setup = commands(node.setup, 'setup');
    const teardown = commands(node.teardown, 'teardown');
    return { id, role: role as string, connectsTo: connectsTo as string[], command: command as string[], ports, setup, teardown };
  });
  const clientNodes = obj.clientNodes ?? (maelstrom ? ids : undefined);
  if (!Array.isArray(clientNodes) || clientNodes.length === 0 || !clientNodes.every((c) => typeof c === 'string')) {
    fail('"clientNodes" must be a non-empty array of node ids that clients send requests to');
  }
  for (const c of clientNodes as string[]) {
    if (!ids.includes(c)) fail(`"clientNodes" names "${c}", which is not a node (nodes: ${ids.join(', ')})`);
  }
  let primary: PrimarySource | undefined;
  if (obj.primary !== undefined) {
    const p = obj.primary;
    const keys = isObject(p) ? Object.keys(p as object) : [];
    if (!isObject(p) || keys.length !== 1 || !['static', 'ask'].includes(keys[0])) {
      fail('"primary" must be {"static": "ID"} or {"ask": "ID"}');
    }
    const target = (p as Record<string, unknown>)[keys[0]];
    if (typeof target !== 'string' || !ids.includes(target)) {
      fail(`"primary.${keys[0]}" must name a node (nodes: ${ids.join(', ')}), got ${JSON.stringify(target)}`);
    }
    primary = keys[0] === 'static' ? { static: target as string } : { ask: target as string };
  }
  let members: SystemDefinition['members'];
  if (obj.members !== undefined) {
    const m = obj.members as Record<string, unknown>;
    if (!isObject(m) || typeof m.each !== 'string' || m.each === '' || (m.join !== undefined && typeof m.join !== 'string') || Object.keys(m).some((k) => k !== 'each' && k !== 'join')) {
      fail('"members" must be {"each": TEMPLATE, "join": ","}, e.g. {"each": "{id}=http://{host}:{port:peer}"}: {members} is TEMPLATE filled for every node, joined');
    }
    for (const use of placeholdersIn(m.each as string)) {
      const ok = (MEMBER_PLACEHOLDERS as readonly string[]).includes(use.word) && use.arg === undefined;
      const namedPort = use.word === 'port' && use.arg !== undefined && nodes.every((n) => n.ports!.includes(use.arg!));
      if (!ok && !namedPort) {
        fail(
          `"members.each" uses ${use.text}${use.word === 'port' && use.arg !== undefined ? `, but not every node has a port "${use.arg}" (declare it in "ports")` : ''} (a member's placeholders: ${MEMBER_PLACEHOLDERS.map((p) => `{${p}}`).join(' ')} {port:NAME})`,
        );
      }
    }
    members = { each: m.each as string, join: (m.join as string | undefined) ?? ',' };
  }
  for (const n of nodes) {
    if (members === undefined && [n.command, ...n.setup!, ...n.teardown!].flat().some((a) => a.includes('{members}'))) {
      fail(`nodes.${n.id} uses {members}, but the definition has no "members" template to fill it from`);
    }
  }
  let client: SystemDefinition['client'];
  if (obj.client !== undefined) {
    if (maelstrom) fail('"client": a Maelstrom system is spoken to in Maelstrom\'s protocol; a client driver is for TCP nodes');
    const c = typeof obj.client === 'string' ? { module: obj.client } : (obj.client as Record<string, unknown>);
    if (!isObject(c) || typeof c.module !== 'string' || c.module === '' || (c.options !== undefined && !isObject(c.options)) || Object.keys(c).some((k) => k !== 'module' && k !== 'options')) {
      fail('"client" must be a driver module\'s path (relative to this file), e.g. "./myClient.ts", or {"module": PATH, "options": {...}}');
    }
    const module = resolve(dirname(resolve(file)), c.module as string);
    if (!existsSync(module)) fail(`"client" names ${c.module as string}, which does not exist (looked for ${module})`);
    client = { module, options: (c.options as Record<string, unknown> | undefined) ?? {} };
  }
  let ready: Readiness | undefined;
  if (obj.ready !== undefined) {
    const r = obj.ready;
    const named = typeof r === 'string' && r.startsWith('tcp:') ? r.slice(4) : null;
    const command = isObject(r) ? (r as Record<string, unknown>).command : undefined;
    if (r === 'tcp') ready = { tcp: null };
    else if (r === 'client') ready = { client: true };
    else if (named !== null && nodes.every((n) => n.ports!.includes(named))) ready = { tcp: named };
    else if (isObject(r) && Object.keys(r as object).length === 1 && Array.isArray(command) && command.length > 0 && command.every((a) => typeof a === 'string') && command[0] !== '') {
      for (const n of nodes) {
        for (const arg of command as string[]) {
          for (const use of placeholdersIn(arg)) {
            const problem = placeholderProblem(use, { placeholders, maelstrom, ports: n.ports!, ids, connectsTo: n.connectsTo, kernel: network === 'kernel', id: n.id });
            if (problem !== null) fail(`"ready.command" uses ${problem} (for node ${n.id})`);
          }
        }
      }
      ready = { command: command as string[] };
    } else {
      fail(
        `"ready" must be "tcp" (the main port accepts connections), "tcp:NAME" (a port every node declares in "ports"), "client" (a read through the client driver succeeds), or {"command": ARGV} (a command that exits 0 once the node is ready), got ${JSON.stringify(r)}`,
      );
    }
    if (maelstrom) fail('"ready": a Maelstrom node is ready when it answers init');
  }
  if (client && primary && 'ask' in primary) {
    fail('"primary.ask" asks in the wire protocol ({"type":"primary"}), which a system with a client driver does not speak: use {"static": "ID"}');
  }
  let nemeses: string[] | undefined;
  if (obj.nemeses !== undefined) {
    if (!Array.isArray(obj.nemeses) || !obj.nemeses.every((n) => typeof n === 'string')) {
      fail('"nemeses" must be an array of nemesis names, e.g. ["partition", "kill"]');
    }
    nemeses = obj.nemeses as string[];
  }
  let simulation: SystemDefinition['simulation'];
  if (obj.simulation !== undefined) {
    const sim = obj.simulation as Record<string, unknown>;
    if (!isObject(sim) || typeof sim.roles !== 'string' || sim.roles === '' || Object.keys(sim).some((k) => k !== 'roles' && k !== 'args')) {
      fail('"simulation" must be {"roles": "FILE"} or {"roles": "FILE", "args": [...]}: a module (relative to this file) exporting `roles`, node factories over Env by role name (or `rolesFromArgs(args)`)');
    }
    if (sim.args !== undefined && (!Array.isArray(sim.args) || !sim.args.every((a) => typeof a === 'string'))) {
      fail('"simulation.args" must be an array of strings, the options handed to the module\'s rolesFromArgs');
    }
    simulation = { roles: resolve(dirname(resolve(file)), sim.roles as string), ...(sim.args !== undefined ? { args: sim.args as string[] } : {}) };
  }
  let leader: SystemDefinition['leader'];
  if (obj.leader !== undefined) {
    const l = obj.leader as Record<string, unknown>;
    if (!isObject(l) || Object.keys(l).some((k) => k !== 'ask') || !Array.isArray(l.ask) || l.ask.length === 0 || !l.ask.every((n) => typeof n === 'string' && ids.includes(n))) {
      fail(`"leader" must be {"ask": [node ids]}: the nodes asked who leads a replicated view service (nodes: ${ids.join(', ')})`);
    }
    leader = { ask: l.ask as string[] };
  }
  let available: string[] = [];
  if (obj.available !== undefined) {
    if (!Array.isArray(obj.available) || !obj.available.every((n) => typeof n === 'string' && n.trim() !== '')) {
      fail('"available" must be an array of nemesis runs under which the system claims to stay available, e.g. ["kill", "isolate-primary"]');
    }
    available = (obj.available as string[]).map((n) => n.trim());
  }
  let recoveryS = 5;
  if (obj.recoveryS !== undefined) {
    if (typeof obj.recoveryS !== 'number' || !Number.isFinite(obj.recoveryS) || obj.recoveryS <= 0) {
      fail(`"recoveryS" must be a positive number of seconds, got ${JSON.stringify(obj.recoveryS)}`);
    }
    recoveryS = obj.recoveryS as number;
  }
  return {
    name: name as string,
    claims: claims as Claim,
    leader,
    available,
    recoveryS,
    protocol: protocol as NodeProtocol,
    network: network as NetworkBackend,
    ...(client ? { client } : {}),
    ...(members ? { members } : {}),
    ...(ready ? { ready } : {}),
    nodes,
    clientNodes: clientNodes as string[],
    primary,
    nemeses,
    simulation,
    file: resolve(file),
    dir: dirname(resolve(file)),
  };
}

/** Why a placeholder cannot be used where it is, or null when it can. */
function placeholderProblem(
  use: { text: string; word: string; arg?: string },
  ctx: { placeholders: readonly string[]; maelstrom: boolean; ports: string[]; ids: string[]; connectsTo: string[]; kernel: boolean; id: string },
): string | null {
  const list = () => `(placeholders: ${ctx.placeholders.map((p) => `{${p}}`).join(' ')}${ctx.maelstrom ? '' : ' {port:NAME} {peer-host:ID} {peer-port:ID}'})`;
  if (ctx.maelstrom && ['listen', 'peers', 'host', 'port', 'members', 'peer-host', 'peer-port'].includes(use.word)) {
    return `${use.text}, which a Maelstrom node has no use for (it speaks on stdin and stdout) ${list()}`;
  }
  if (use.arg === undefined) return ctx.placeholders.includes(use.word) ? null : `unknown placeholder ${use.text} ${list()}`;
  if (!(ARG_PLACEHOLDERS as readonly string[]).includes(use.word)) return `unknown placeholder ${use.text} ${list()}`;
  if (use.word === 'port') {
    return ctx.ports.includes(use.arg) ? null : `${use.text}, but the node has no port "${use.arg}" (declare it in "ports"${ctx.ports.length > 0 ? `; it has ${ctx.ports.join(', ')}` : ''})`;
  }
  if (!ctx.ids.includes(use.arg)) return `${use.text}, but "${use.arg}" is not a node (nodes: ${ctx.ids.join(', ')})`;
  if (use.arg === ctx.id) return `${use.text}, the node itself (use {host} and {port})`;
  // Through proxies, a node reaches another only over a link the definition declares.
  if (!ctx.kernel && !ctx.connectsTo.includes(use.arg)) return `${use.text}, but "${use.arg}" is not in its connectsTo (the proxy A->${use.arg} is made only for declared links)`;
  return null;
}

function isObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** JSON.parse reports a character position; users want a line. */
function jsonErrorLine(text: string, err: unknown): string {
  const m = /position (\d+)/.exec((err as Error).message);
  if (!m) return '';
  const line = text.slice(0, Number(m[1])).split('\n').length;
  return ` (line ${line})`;
}
