// Test fixture: a "store" that is always temporarily unavailable (error 11 to
// every request). Nothing it does can be wrong, and nothing it does proves
// anything: the harness must call such a run unknown, never a pass.
import net from 'node:net';

const listen = process.argv[process.argv.indexOf('--listen') + 1];
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
        socket.write(JSON.stringify({ type: 'error', in_reply_to: msg.msg_id, code: 11, text: 'always unavailable' }) + '\n');
      }
    });
  })
  .listen(Number(listen.slice(i + 1)), listen.slice(0, i));
process.on('SIGTERM', () => process.exit(0));
