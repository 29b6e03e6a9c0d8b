// A tiny Maelstrom node library (after Maelstrom's demo/ruby/node.rb), plain
// Node.js with no dependencies: messages are JSON lines on stdin and stdout,
// logs go to stderr. The examples beside it build on it; copy it freely.
import { createInterface } from 'node:readline';

export class Node {
  nodeId = null;
  nodeIds = [];
  #handlers = new Map();
  #callbacks = new Map();
  #nextMsgId = 1;

  constructor() {
    this.on('init', (msg) => {
      this.nodeId = msg.body.node_id;
      this.nodeIds = msg.body.node_ids;
      this.log(`init: ${this.nodeId} of ${this.nodeIds.join(',')}`);
      this.onInit?.();
      this.reply(msg, { type: 'init_ok' });
    });
  }

  /** Handles requests of one type: `handler(msg)`. */
  on(type, handler) {
    this.#handlers.set(type, handler);
  }

  log(text) {
    process.stderr.write(`${text}\n`);
  }

  send(dest, body) {
    process.stdout.write(JSON.stringify({ src: this.nodeId, dest, body }) + '\n');
  }

  reply(request, body) {
    this.send(request.src, { ...body, in_reply_to: request.body.msg_id });
  }

  /** Sends a request; `onReply(body)` runs when its reply comes (never, if it is lost). */
  rpc(dest, body, onReply) {
    const msgId = this.#nextMsgId++;
    this.#callbacks.set(msgId, onReply);
    this.send(dest, { ...body, msg_id: msgId });
  }

  main() {
    createInterface({ input: process.stdin }).on('line', (line) => {
      const msg = JSON.parse(line);
      const replyTo = msg.body.in_reply_to;
      if (replyTo !== undefined) {
        const callback = this.#callbacks.get(replyTo);
        this.#callbacks.delete(replyTo);
        return callback?.(msg.body);
      }
      const handler = this.#handlers.get(msg.body.type);
      if (handler) return handler(msg);
      this.reply(msg, { type: 'error', code: 10, text: `unsupported request type ${msg.body.type}` });
    });
  }
}
