// The harness's own listeners (node inboxes, services) take their ports from
// the run's one allocator, like nodes and proxies, so no two endpoints of a
// run are ever handed the same port. A port some other program grabbed in
// the meantime is simply skipped: these listeners are ours and bind at once.
// Once bound, a listener is also dialled in memory by the in-process proxies
// (inProcess.ts), its connections handed to the same handler as its TCP ones.
import type { Server } from 'node:net';
import type { Address } from '../cluster/cluster.ts';
import { serveInProcess, type StreamSocket } from '../toxiproxy/inProcess.ts';

const HOST = '127.0.0.1';
const ATTEMPTS = 5;

export async function listenOnFreshPort(server: Server, allocatePort: () => Promise<number>, onConnection: (socket: StreamSocket) => void): Promise<Address> {
  for (let attempt = 1; ; attempt++) {
    const port = await allocatePort();
    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
      const onError = (err: NodeJS.ErrnoException) => resolve(err);
      server.once('error', onError);
      server.listen(port, HOST, () => {
        server.off('error', onError);
        resolve(null);
      });
    });
    if (error === null) {
      serveInProcess(server, onConnection);
      return { host: HOST, port };
    }
    if (error.code !== 'EADDRINUSE' || attempt >= ATTEMPTS) throw error;
  }
}
