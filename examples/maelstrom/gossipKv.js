// A key-value store for Maelstrom's lin-kv workload that is NOT linearizable,
// on purpose: each node answers from its own copy at once and tells the other
// nodes about writes later, by gossip. Conflicting writes are settled by last
// writer wins ([counter, node] stamps). It converges once the writes stop, and
// looks fine to a single client, yet a read through one node misses a write
// another node acknowledged a moment ago, and two nodes can both accept a cas
// from the same value. splitbrain must catch it.
import { Node } from './node.js';

const GOSSIP_EVERY_MS = 100;

const node = new Node();
/** key (as JSON) -> { key, value, stamp: [counter, nodeId] } */
const store = new Map();
let pending = [];
let counter = 0;

const newer = (a, b) => a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]);

function set(key, value) {
  const entry = { key, value, stamp: [++counter, node.nodeId] };
  store.set(JSON.stringify(key), entry);
  pending.push(entry);
}

node.on('read', (msg) => {
  const entry = store.get(JSON.stringify(msg.body.key));
  if (entry === undefined) return node.reply(msg, { type: 'error', code: 20, text: 'key does not exist' });
  node.reply(msg, { type: 'read_ok', value: entry.value });
});

node.on('write', (msg) => {
  set(msg.body.key, msg.body.value);
  node.reply(msg, { type: 'write_ok' });
});

node.on('cas', (msg) => {
  const { key, from, to } = msg.body;
  const entry = store.get(JSON.stringify(key));
  if (entry === undefined) return node.reply(msg, { type: 'error', code: 20, text: 'key does not exist' });
  if (entry.value !== from) return node.reply(msg, { type: 'error', code: 22, text: `current value ${entry.value} is not ${from}` });
  set(key, to);
  node.reply(msg, { type: 'cas_ok' });
});

node.on('gossip', (msg) => {
  for (const entry of msg.body.entries) {
    counter = Math.max(counter, entry.stamp[0]);
    const k = JSON.stringify(entry.key);
    const ours = store.get(k);
    if (ours === undefined || newer(entry.stamp, ours.stamp)) store.set(k, entry);
  }
});

node.onInit = () => {
  setInterval(() => {
    if (pending.length === 0) return;
    for (const peer of node.nodeIds) if (peer !== node.nodeId) node.send(peer, { type: 'gossip', entries: pending });
    pending = [];
  }, GOSSIP_EVERY_MS);
};

node.main();
