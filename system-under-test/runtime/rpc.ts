// Request/reply over Env: every call gets a fresh msg_id, the reply is matched
// by in_reply_to, and a per-request timer turns silence into `null`. Written
// with callbacks, not promises, so a node stays a plain synchronous state
// machine that the in-memory network can step deterministically.
import type { Body, Env, TimerId } from './env.ts';
import { IdTable } from './idTable.ts';

export type ReplyHandler = (reply: Body | null) => void;

export class Rpc {
  private nextMsgId = 1;
  /** Calls awaiting a reply, by msg_id (an IdTable: a Map emptied and refilled per call reallocated each time). */
  private readonly pending = new IdTable<{ timer: TimerId; onReply: ReplyHandler }>();

  constructor(private readonly env: Env) {}

  /** Sends `body` to `to`; `onReply` gets the reply, or null after `timeoutMs` of silence. Called exactly once. */
  call(to: string, body: Body, timeoutMs: number, onReply: ReplyHandler): void {
    const msgId = this.nextMsgId++;
    const timer = this.env.setTimer(timeoutMs, () => {
      this.pending.delete(msgId);
      onReply(null);
    });
    this.pending.add(msgId, { timer, onReply });
    // The same object as `{ ...body, msg_id: msgId }`: V8 gives a spread's copy its source's
    // map, and adding a field to that copy then takes a slow path (a microsecond a call, in Node 20).
    const message: Body = Object.assign({}, body);
    message.msg_id = msgId;
    this.env.send(to, message);
  }

  /**
   * Offers a received body to the waiting calls. Returns true when it was a
   * reply (matched or late), so the node should not treat it as a request.
   */
  handleReply(body: Body): boolean {
    if (typeof body.in_reply_to !== 'number') return false;
    const waiting = this.pending.get(body.in_reply_to);
    if (waiting !== undefined) {
      this.pending.delete(body.in_reply_to);
      this.env.cancelTimer(waiting.timer);
      waiting.onReply(body);
    }
    return true;
  }
}
