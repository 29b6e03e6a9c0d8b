// Test fixture: a Maelstrom node that does what its clients ask, to probe the
// relay. Plain Node.js, stdin/stdout only, like any user's node.
//   echo                   -> echo_ok (same `echo`)
//   forward {to}           -> pings node `to`; answers forward_ok when the pong comes back
//   call {service, request}-> sends `request` to the service; answers call_ok {reply}
//   garbage                -> writes a non-JSON line and a line without dest, then garbage_ok
//   whoami                 -> whoami_ok {node_id, node_ids, inits}
// Every init is logged to stderr as "init <id>", so a test can count them.
import { createInterface } from 'node:readline';

let nodeId = null;
let nodeIds = [];
let inits = 0;
let nextId = 1;
const waiting = new Map(); // msg_id of our request -> what to do with the reply

function send(dest, body) {
  process.stdout.write(JSON.stringify({ src: nodeId, dest, body }) + '\n');
}

function reply(msg, body) {
  send(msg.src, { ...body, in_reply_to: msg.body.msg_id });
}

function request(dest, body, onReply) {
  const id = nextId++;
  waiting.set(id, onReply);
  send(dest, { ...body, msg_id: id });
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const msg = JSON.parse(line);
  const body = msg.body;
  if (body.in_reply_to !== undefined && waiting.has(body.in_reply_to)) {
    const onReply = waiting.get(body.in_reply_to);
    waiting.delete(body.in_reply_to);
    return onReply(body);
  }
  switch (body.type) {
    case 'init':
      nodeId = body.node_id;
      nodeIds = body.node_ids;
      inits++;
      process.stderr.write(`init ${nodeId}\n`);
      return reply(msg, { type: 'init_ok' });
    case 'echo':
      return reply(msg, { type: 'echo_ok', echo: body.echo });
    case 'forward':
      return request(body.to, { type: 'ping' }, () => reply(msg, { type: 'forward_ok' }));
    case 'ping':
      return reply(msg, { type: 'pong' });
    case 'call':
      return request(body.service, body.request, (r) => reply(msg, { type: 'call_ok', reply: r }));
    case 'garbage':
      process.stdout.write('this is not json\n');
      process.stdout.write(JSON.stringify({ src: nodeId, body: { type: 'lost' } }) + '\n');
      return reply(msg, { type: 'garbage_ok' });
    case 'whoami':
      return reply(msg, { type: 'whoami_ok', node_id: nodeId, node_ids: nodeIds, inits });
    default:
      return reply(msg, { type: 'error', code: 10, text: `unsupported: ${body.type}` });
  }
});
