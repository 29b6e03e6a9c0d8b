// Test fixture: a Maelstrom node that does what its clients ask, to probe the
// relay. Built on the examples' node library, like any user's node.
//   echo                    -> echo_ok (same `echo`)
//   forward {to}            -> pings node `to`; forward_ok once the pong is back
//   call {service, request} -> sends `request` to the service; call_ok {reply}
//   garbage                 -> writes a non-JSON line and a line without dest, then garbage_ok
//   exit_midline            -> writes half a message and exits
//   whoami                  -> whoami_ok {node_id, node_ids}
//   flood {to, count, window} -> `count` pings to `to`, at most `window` unanswered; flood_ok
//   handoff {to}            -> node `to` answers the client directly: handoff_ok {by}
//   primary                 -> primary_ok {primary: "n2"} (what the harness asks for role-targeted nemeses)
// The library logs every init to stderr ("init: n1 of n1,n2,n3").
import { Node } from '../../../examples/maelstrom/node.js';

const node = new Node();

node.on('echo', (msg) => node.reply(msg, { type: 'echo_ok', echo: msg.body.echo }));
node.on('ping', (msg) => node.reply(msg, { type: 'pong' }));
node.on('forward', (msg) => node.rpc(msg.body.to, { type: 'ping' }, () => node.reply(msg, { type: 'forward_ok' })));
node.on('call', (msg) => node.rpc(msg.body.service, msg.body.request, (reply) => node.reply(msg, { type: 'call_ok', reply })));
node.on('handoff', (msg) => node.send(msg.body.to, { type: 'answer', client: msg.src, in_reply_to_client: msg.body.msg_id }));
node.on('answer', (msg) => node.send(msg.body.client, { type: 'handoff_ok', by: node.nodeId, in_reply_to: msg.body.in_reply_to_client }));
node.on('primary', (msg) => node.reply(msg, { type: 'primary_ok', primary: 'n2' }));
node.on('whoami', (msg) => node.reply(msg, { type: 'whoami_ok', node_id: node.nodeId, node_ids: node.nodeIds }));
node.on('garbage', (msg) => {
  process.stdout.write('this is not json\n');
  process.stdout.write(JSON.stringify({ src: node.nodeId, body: { type: 'lost' } }) + '\n');
  node.reply(msg, { type: 'garbage_ok' });
});
node.on('exit_midline', () => {
  process.stdout.write('{"src":"n1","dest":"c1","bo');
  process.exit(0);
});
node.on('flood', (msg) => {
  const { to, count, window } = msg.body;
  let sent = 0;
  let answered = 0;
  const next = () => {
    if (++answered === count) return node.reply(msg, { type: 'flood_ok' });
    if (sent < count) send();
  };
  const send = () => {
    sent++;
    node.rpc(to, { type: 'ping' }, next);
  };
  while (sent < Math.min(window, count)) send();
});

node.main();
