// The run's network namespace, held open by this process (started as
// `unshare --net node netnsRelay.js` by kernelNetwork.ts, and owned like
// every process the harness starts), and the one way into it from the
// harness's own namespace: the harness makes a listening socket on its own
// loopback and hands it over the IPC channel; a socket keeps the namespace
// it was made in, so connections accepted on it come from the harness's
// loopback, while the connections this process opens to the nodes are made
// here, inside the run's namespace, where the nodes' addresses exist.
// Plain JavaScript: it starts in a few tens of milliseconds, with no loader.
import { connect, createServer } from 'node:net';

process.on('message', (msg, handle) => {
  if (msg.type === 'relay') {
    const server = createServer((client) => {
      const upstream = connect({ host: msg.host, port: msg.port });
      client.pipe(upstream);
      upstream.pipe(client);
      // Either side going away takes the other with it, as a closed connection would.
      const end = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
    });
    server.on('error', (err) => process.send({ type: 'relay-error', id: msg.id, error: err.message }));
    server.listen(handle, () => process.send({ type: 'relaying', id: msg.id }));
  } else if (msg.type === 'probe') {
    // Readiness, asked from inside: does anything accept connections at host:port?
    const socket = connect({ host: msg.host, port: msg.port });
    let answered = false;
    const done = (ok) => {
      if (answered) return;
      answered = true;
      socket.destroy();
      process.send({ type: 'probed', id: msg.id, ok });
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.setTimeout(msg.timeoutMs ?? 500, () => done(false));
  }
});

// The harness gone (its end of the channel closed): the namespace goes with this process.
process.on('disconnect', () => process.exit(0));
process.send({ type: 'ready' });
