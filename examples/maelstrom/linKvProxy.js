// A linearizable key-value store for Maelstrom's lin-kv workload, in one
// idea: keep nothing, and hand every request to Maelstrom's `lin-kv` service,
// which applies each one atomically. The node itself can crash, stall or be
// cut off without losing anything; a request whose service reply is lost is
// simply never answered, which the client records as indefinite.
//
//   node linKvProxy.js            correct: stores through lin-kv
//   node linKvProxy.js seq-kv     broken: seq-kv may answer reads from the past
import { Node } from './node.js';

const service = process.argv[2] ?? 'lin-kv';
const node = new Node();

for (const type of ['read', 'write', 'cas']) {
  node.on(type, (request) => {
    const { msg_id: _ours, ...body } = request.body;
    node.rpc(service, body, (reply) => {
      const { in_reply_to: _theirs, msg_id: _id, ...answer } = reply;
      node.reply(request, answer);
    });
  });
}

node.main();
