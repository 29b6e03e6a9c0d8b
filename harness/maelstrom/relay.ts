// One Maelstrom node's relay: what the node writes on stdout is routed by its
// `dest`, and what reaches it is written to its stdin.
//
//   to another node n2     -> the link n1->n2 (a proxy), then n2's inbox, then n2's stdin
//   to a service (lin-kv)  -> the link n1->lin-kv; the reply comes back on it, then n1's stdin
//   to a client (c3)       -> the connection c3 came in on (through the proxy client->nX)
//   to c0 (the harness)    -> the harness itself (init_ok, answers to its questions)
//   to itself              -> its own stdin
//
// A line that is not a JSON object with a string `dest` is noted in the
// node's log and counted; nothing a node writes can crash the harness. When
// the process dies, every connection it had dies with it, as for a real
// process: peers and clients see the links close.
import type { Address } from '../cluster/cluster.ts';
import type { OwnedProcess } from '../cluster/processes.ts';
import type { StreamSocket } from '../toxiproxy/inProcess.ts';
import { writeBatched } from './batchedWrite.ts';
import { frame, LineSplitter } from './framing.ts';
import { OutLink } from './outLink.ts';

export interface RelayStats {
  /** Lines the node wrote on stdout. */
  linesOut: number;
  /** Lines that were not a JSON object with a string `dest` (noted in the node's log). */
  malformed: number;
  /** Messages to an id that does not exist, or to a node it has no link to. */
  unroutable: number;
  /** Replies to a client whose connection had gone. */
  toGoneClients: number;
  /** Messages the node sent that its links lost (link down or refused). */
  lostOnLinks: number;
  /** Messages that reached it damaged (cut mid-message by a fault) and were dropped. */
  damaged: number;
  /** Lines written to its stdin. */
  linesIn: number;
}

/** What a relay needs from the network around it. */
export interface RelayNetwork {
  isNode(id: string): boolean;
  isService(id: string): boolean;
  /** The proxy carrying `from->to`, if that link exists. */
  linkAddress(from: string, to: string): Address | undefined;
  /** The connection a client's requests come in on, if it is still open. */
  clientSocket(id: string): StreamSocket | undefined;
  /** A message to c0. */
  toHarness(msg: NodeMessage): void;
}

export interface NodeMessage {
  src?: unknown;
  dest: string;
  body?: unknown;
}

export const HARNESS_ID = 'c0';
export const CLIENT_ID = /^c[0-9]+$/;

/** Notes per node in its log before the rest are only counted (a node spamming garbage must not fill the disk). */
const MAX_NOTES = 50;

export class NodeRelay {
  readonly stats: RelayStats = { linesOut: 0, malformed: 0, unroutable: 0, toGoneClients: 0, lostOnLinks: 0, damaged: 0, linesIn: 0 };
  private proc: OwnedProcess | null = null;
  private readonly links = new Map<string, OutLink>();
  /** Connections that came in for this node (peers' links, clients): they close when it dies. */
  private readonly inbound = new Set<StreamSocket>();
  private notes = 0;

  constructor(
    readonly id: string,
    private readonly net: RelayNetwork,
  ) {}

  get alive(): boolean {
    return this.proc !== null;
  }

  /** Takes over a freshly started node's stdin and stdout; undone when it exits. */
  attach(proc: OwnedProcess): void {
    this.proc = proc;
    const { stdin, stdout } = proc.child;
    stdin?.on('error', () => undefined); // EPIPE after a kill: the process is gone, so is the message
    stdout?.setEncoding('utf8');
    const lines = new LineSplitter((line) => this.route(line));
    stdout?.on('data', (chunk: string) => lines.push(chunk));
    // At 'end' the pipe is drained (at exit it may not be yet: the rest of a line can still be in it).
    stdout?.on('end', () => {
      if (lines.rest().trim().length > 0) this.malformed(lines.rest(), 'an unfinished line when its stdout closed', proc);
    });
    void proc.exited.then(() => {
      if (this.proc === proc) this.detach();
    });
  }

  /** Writes one line to the node's stdin; lost if the node is down. */
  deliver(line: string): void {
    const stdin = this.proc?.child.stdin;
    if (!stdin || !stdin.writable) return;
    this.stats.linesIn++;
    writeBatched(stdin, line + '\n');
  }

  /** A connection for this node arrived (a peer's link, a client): refused while it is down. */
  accept(socket: StreamSocket): boolean {
    if (this.proc === null) {
      socket.destroy();
      return false;
    }
    this.inbound.add(socket);
    socket.once('close', () => this.inbound.delete(socket));
    return true;
  }

  damagedFrame(): void {
    this.stats.damaged++;
    this.note('dropped a message damaged in transit (a fault cut it mid-line)');
  }

  /** A line in the node's log (by default the running process's; a dead one's log is the same file). */
  note(text: string, proc = this.proc): void {
    if (this.notes > MAX_NOTES) return;
    this.notes++;
    proc?.note(this.notes > MAX_NOTES ? `${text}; further notes suppressed (results.json counts them)` : text);
  }

  private route(line: string): void {
    if (line.trim().length === 0) return;
    this.stats.linesOut++;
    let msg: NodeMessage;
    try {
      msg = JSON.parse(line);
    } catch {
      return this.malformed(line, 'not valid JSON');
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return this.malformed(line, 'not a JSON object');
    if (typeof msg.dest !== 'string') return this.malformed(line, 'no "dest"');
    const dest = msg.dest;
    if (dest === this.id) return this.deliver(line);
    if (this.net.isNode(dest) || this.net.isService(dest)) {
      const link = this.link(dest);
      if (link === undefined) {
        this.stats.unroutable++;
        return this.note(`no link ${this.id}->${dest} (not in connectsTo): dropped ${clip(line)}`);
      }
      return link.send(frame(line));
    }
    if (dest === HARNESS_ID) return this.net.toHarness(msg);
    if (CLIENT_ID.test(dest)) {
      const socket = this.net.clientSocket(dest);
      if (socket === undefined) {
        this.stats.toGoneClients++;
        return;
      }
      writeBatched(socket, line + '\n');
      return;
    }
    this.stats.unroutable++;
    this.note(`no node, client or service "${dest}": dropped ${clip(line)}`);
  }

  private link(dest: string): OutLink | undefined {
    let link = this.links.get(dest);
    if (link === undefined) {
      const address = this.net.linkAddress(this.id, dest);
      if (address === undefined) return undefined;
      link = new OutLink(
        address,
        (reply) => this.deliver(reply),
        () => this.damagedFrame(),
      );
      this.links.set(dest, link);
    }
    return link;
  }

  private malformed(line: string, why: string, proc = this.proc): void {
    this.stats.malformed++;
    this.note(`stdout line ignored (${why}): ${clip(line)}`, proc);
  }

  /** The process is gone: so are its connections, in both directions. */
  private detach(): void {
    this.proc = null;
    for (const link of this.links.values()) {
      this.stats.lostOnLinks += link.lost;
      link.lost = 0;
      link.close();
    }
    for (const socket of this.inbound) socket.destroy();
    this.inbound.clear();
  }

  /** Counters, with what the live links lost so far. */
  snapshot(): RelayStats {
    let lost = this.stats.lostOnLinks;
    for (const link of this.links.values()) lost += link.lost;
    return { ...this.stats, lostOnLinks: lost };
  }

  close(): void {
    this.detach();
  }
}

function clip(line: string): string {
  return line.length > 200 ? `${line.slice(0, 200)}... (${line.length} chars)` : line;
}
