// Test fixture: run inside a node's namespace; connects to HOST:PORT, sends a
// line and prints what became of it: ok (echoed), timeout, refused or reset.
import { connect } from 'node:net';

const [, , host, port, ms] = process.argv;
const socket = connect({ host, port: Number(port) });
const say = (word) => {
  process.stdout.write(word + '\n');
  process.exit(0);
};
socket.on('connect', () => socket.write('ping\n'));
socket.on('data', () => say('ok'));
socket.on('error', (err) => say(err.code === 'ECONNREFUSED' ? 'refused' : err.code === 'ECONNRESET' ? 'reset' : err.code));
setTimeout(() => say('timeout'), Number(ms ?? 1000));
