// Benchmark node speaking the TCP node protocol: the same flood/ping/pong as
// the Maelstrom probe node (harness/maelstrom/testdata/probeNode.js), over
// sockets, so the two protocols can be compared message for message.
//   node tcpFlood.js --id n1 --listen 127.0.0.1:P --peers n2=127.0.0.1:Q,...
// A client's {"type":"flood","to":"n2","count":N,"window":W[,"direct":"host:port"]}
// sends N pings to n2 (through its proxy, or straight to `direct`), at most W
// unanswered, and answers flood_ok.
import { connect, createServer } from 'node:net';

const arg = (name) => process.argv[process.argv.indexOf(`--${name}`) + 1];
const id = arg('id');
const [host, port] = arg('listen').split(':');
const peers = new Map((arg('peers') ?? '').split(',').filter(Boolean).map((p) => p.split('=')));

function lines(socket, onLine) {
  let buf = '';
  socket.setEncoding('utf8');
  socket.setNoDelay(true);
  socket.on('error', () => undefined);
  socket.on('data', (chunk) => {
    buf += chunk;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      onLine(JSON.parse(line));
    }
  });
}

const links = new Map();
let nextId = 1;
const waiting = new Map();

function link(address) {
  let l = links.get(address);
  if (!l) {
    const [h, p] = address.split(':');
    l = connect({ host: h, port: Number(p) });
    lines(l, (msg) => {
      const cb = waiting.get(msg.body.in_reply_to);
      waiting.delete(msg.body.in_reply_to);
      cb?.();
    });
    links.set(address, l);
  }
  return l;
}

function flood(req, reply) {
  const address = req.direct ?? peers.get(req.to);
  const l = link(address);
  let sent = 0;
  let answered = 0;
  const send = () => {
    const msgId = nextId++;
    sent++;
    waiting.set(msgId, () => {
      if (++answered === req.count) return reply({ type: 'flood_ok', in_reply_to: req.msg_id });
      if (sent < req.count) send();
    });
    l.write(JSON.stringify({ src: id, dest: req.to, body: { type: 'ping', msg_id: msgId } }) + '\n');
  };
  while (sent < Math.min(req.window, req.count)) send();
}

createServer((socket) => {
  lines(socket, (msg) => {
    const write = (body) => socket.write(JSON.stringify(body) + '\n');
    if (msg.body?.type === 'ping') return write({ src: id, dest: msg.src, body: { type: 'pong', in_reply_to: msg.body.msg_id } });
    if (msg.type === 'flood') return flood(msg, write);
    write({ type: 'error', code: 10, in_reply_to: msg.msg_id });
  });
}).listen(Number(port), host, () => process.stderr.write(`${id} listening on ${host}:${port}\n`));
process.on('SIGTERM', () => process.exit(0));
