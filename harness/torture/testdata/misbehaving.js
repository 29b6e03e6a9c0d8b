// Test fixture: a one-node "store" that misbehaves in one of a few ways, each
// a run the harness must not call a pass, or must record as its checker
// accepts. --mode (the default is unavailable):
//   unavailable     error 11 (temporarily unavailable) to every request: nothing
//                   it does can be wrong, and nothing it does proves anything.
//   refuses-writes  error 11 to writes and cas, "key does not exist" (error 20)
//                   to reads, which the harness records as ok reads of the
//                   initial value: plenty of ok operations, still nothing tested.
//   object-reads    writes succeed, cas fails (22), reads answer an object as
//                   the value: a reply no history can hold.
import net from 'node:net';

const arg = (name, fallback) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback);
const listen = arg('--listen');
const mode = arg('--mode', 'unavailable');

function answer(msg) {
  const unavailable = { type: 'error', code: 11, text: 'always unavailable' };
  if (mode === 'refuses-writes') return msg.type === 'read' ? { type: 'error', code: 20, text: 'not found' } : unavailable;
  if (mode === 'object-reads') {
    if (msg.type === 'read') return { type: 'read_ok', value: { nested: [msg.key] } };
    if (msg.type === 'write') return { type: 'write_ok' };
    return { type: 'error', code: 22, text: 'precondition failed' };
  }
  return unavailable;
}

const i = listen.lastIndexOf(':');
net
  .createServer((socket) => {
    let buf = '';
    socket.on('error', () => socket.destroy());
    socket.on('data', (d) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const msg = JSON.parse(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        socket.write(JSON.stringify({ ...answer(msg), in_reply_to: msg.msg_id }) + '\n');
      }
    });
  })
  .listen(Number(listen.slice(i + 1)), listen.slice(0, i));
process.on('SIGTERM', () => process.exit(0));
