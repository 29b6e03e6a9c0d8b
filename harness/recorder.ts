// The history recorder: every event is appended to history.jsonl with one
// write(2) the moment it happens, so if the harness dies mid-run (crash,
// SIGKILL, power cut of the CI runner) the file still holds a valid prefix
// of the history that `npm run check` can read. Events are also kept in memory
// for the end-of-run check.
import { closeSync, openSync, writeSync } from 'node:fs';
import type { ClientEvent, EventType, HistoryEvent, NemesisEvent, OpFunction, Value } from '../checkers/types.ts';
import type { Clock } from './engine/cluster.ts';
import { wallClock } from './engine/wallClock.ts';

export class HistoryRecorder {
  readonly events: HistoryEvent[] = [];
  private fd: number | null;
  private lastTime = 0;

  /** Times are the run's clock (virtual under simulation); by default a wall clock started now. */
  constructor(
    readonly path: string,
    private readonly clock: Pick<Clock, 'nowNs'> = wallClock(),
  ) {
    this.fd = openSync(path, 'w');
  }

  /** Nanoseconds on the run's clock. */
  now(): number {
    const t = this.clock.nowNs();
    // Both clocks are monotonic; the max() only guards the contract "non-decreasing".
    this.lastTime = Math.max(this.lastTime, t);
    return this.lastTime;
  }

  client(
    process: number,
    type: EventType,
    f: OpFunction,
    key: string | number,
    value: Value | [Value, Value],
    error?: string,
  ): ClientEvent {
    // Integer keys (Maelstrom nodes') are kept as JSON numbers: the checker tells 1 from "1".
    const event = { index: this.events.length, time: this.now(), process, type, f, key, value } as ClientEvent;
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
