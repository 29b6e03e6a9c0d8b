// Test fixture: a node whose first start loses its port to someone else.
// The first run (no marker file yet) creates the marker and fails the way
// Node fails on a taken port; later runs listen on --listen until SIGTERM.
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';

const [, , listen, marker] = process.argv;
const [host, port] = [listen.slice(0, listen.lastIndexOf(':')), Number(listen.slice(listen.lastIndexOf(':') + 1))];
if (!existsSync(marker)) {
  writeFileSync(marker, 'started once\n');
  process.stderr.write(`Error: listen EADDRINUSE: address already in use ${listen}\n`);
  process.exit(1);
}
createServer((s) => s.end()).listen(port, host);
process.on('SIGTERM', () => process.exit(0));
