// The history recorder: every event is appended to history.jsonl with one
// write(2) the moment it happens, so if the harness dies mid-run (crash,
// SIGKILL, power cut of the CI runner) the file still holds a valid prefix
// of the history that `npm run check` can read. Events are also kept in memory
// for the end-of-run check.
import { closeSync, openSync, writeSync } from 'node:fs';
import type { ClientEvent, EventType, HistoryEvent, NemesisEvent, OpFunction, Value } from '../checkers/types.ts';

export class HistoryRecorder {
  readonly events: HistoryEvent[] = [];
  private fd: number | null;
  private readonly startNs = process.hrtime.bigint();
  private lastTime = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }

  /** Nanoseconds since the recorder was created. */
  now(): number {
    const t = Number(process.hrtime.bigint() - this.startNs);
    // hrtime is monotonic; the max() only guards the contract "non-decreasing".
    this.lastTime = Math.max(this.lastTime, t);
    return this.lastTime;
  }

  client(
    process: number,
    type: EventType,
    f: OpFunction,
    key: string,
    value: Value | [Value, Value],
    error?: string,
  ): ClientEvent {
    const event: ClientEvent = { index: this.events.length, time: this.now(), process, type, f, key, value };
    if (error !== undefined) event.error = error;
    this.append(event);
    return event;
  }

  nemesis(f: string, value?: unknown): NemesisEvent {
    const event: NemesisEvent = { index: this.events.length, time: this.now(), process: 'nemesis', type: 'info', f };
    if (value !== undefined) event.value = value;
    this.append(event);
    return event;
  }

  close(): void {
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
    }
  }

  private append(event: HistoryEvent): void {
    this.events.push(event);
    if (this.fd !== null) writeSync(this.fd, JSON.stringify(event) + '\n');
  }
}
