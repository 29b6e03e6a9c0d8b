// Test fixture: a node that echoes every byte on --listen HOST:PORT, until SIGTERM.
import { createServer } from 'node:net';

const listen = process.argv[2];
const [host, port] = [listen.slice(0, listen.lastIndexOf(':')), Number(listen.slice(listen.lastIndexOf(':') + 1))];
createServer((s) => {
  s.on('error', () => undefined);
  s.pipe(s);
}).listen(port, host);
process.on('SIGTERM', () => process.exit(0));
