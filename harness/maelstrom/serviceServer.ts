// A Maelstrom service as a network endpoint: the relays of the nodes reach it
// through their own proxies (n1->lin-kv, ...), so network faults act on
// service traffic as on any other, and it answers on the connection a
// request came in on (the proxy's way back).
import { createServer, type Server } from 'node:net';
import type { StreamSocket } from '../toxiproxy/inProcess.ts';
import { writeBatched } from './batchedWrite.ts';
import { frame, readFrames } from './framing.ts';
import type { Address } from '../cluster/cluster.ts';
import { listenOnFreshPort } from './listen.ts';
import { createService, type Body, type ServiceName } from './services.ts';

export class ServiceServer {
  /** Requests answered, for results.json. */
  requests = 0;
  private readonly sockets = new Set<StreamSocket>();

  private constructor(
    readonly name: ServiceName,
    readonly address: Address,
    private readonly server: Server,
  ) {}

  static async open(name: ServiceName, random: () => number, allocatePort: () => Promise<number>): Promise<ServiceServer> {
    const service = createService(name, random);
    let self: ServiceServer | undefined;
    const onConnection = (socket: StreamSocket) => self!.serve(socket, service.handle.bind(service));
    const server = createServer(onConnection);
    const address = await listenOnFreshPort(server, allocatePort, onConnection);
    self = new ServiceServer(name, address, server);
    return self;
  }

  private serve(socket: StreamSocket, handle: (src: string, body: Body) => Record<string, unknown>): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    socket.on('close', () => this.sockets.delete(socket));
    const onLine = (line: string) => {
      let msg: { src?: unknown; body?: Body };
      try {
        msg = JSON.parse(line);
      } catch {
        return; // the relay only forwards lines that parsed at the sender
      }
      if (typeof msg.src !== 'string' || typeof msg.body !== 'object' || msg.body === null) return;
      this.requests++;
      const reply = { ...handle(msg.src, msg.body), in_reply_to: msg.body.msg_id };
      writeBatched(socket, frame(JSON.stringify({ src: this.name, dest: msg.src, body: reply })));
    };
    // A request damaged in transit is a lost message, as on a real network.
    readFrames(socket, onLine, () => undefined);
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
