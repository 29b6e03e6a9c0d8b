// The history recorder: every event is appended to history.jsonl as one whole
// line the moment it happens, so if the harness dies mid-run (crash,
// SIGKILL, power cut of the CI runner) the file still holds a valid prefix
// of the history that `npm run check` can read. Events are also kept in memory
// for the end-of-run check.
//
// The prefix stays valid when the disk fills up too: a line that cannot be
// written whole (ENOSPC mid-line leaves part of it) is cut off again, the
// recorder stops writing, and `failed` aborts so the run can end at once with
// one clear line instead of recording a history that is no longer on disk.
import { closeSync, ftruncateSync, openSync, writeFileSync, writeSync } from 'node:fs';
import type { ClientEvent, EventType, HistoryEvent, NemesisEvent, OpFunction, Value } from '../checkers/types.ts';
import type { Clock } from './engine/cluster.ts';
import { wallClock } from './engine/wallClock.ts';
import { fsReason, OutputError } from './outputFiles.ts';

/** The one file operation the recorder appends with; tests inject a disk that fills up. */
export interface RecorderIo {
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
}

export class HistoryRecorder {
  readonly events: HistoryEvent[] = [];
  private fd: number | null;
  private lastTime = -1;
  /** Bytes and events on disk, all of them whole lines. */
  private committedBytes = 0;
  private committedEvents = 0;
  private readonly abort = new AbortController();
  /** Why the history stopped being written, once it has. */
  failure: OutputError | null = null;
  /** Aborted when the history can no longer be written. */
  readonly failed: AbortSignal = this.abort.signal;

  /**
   * Times are the run's clock (virtual under simulation); by default a wall
   * clock started now. With no path the history stays in memory (simulated
   * runs that pass keep no files); `writeTo` saves it later.
   */
  constructor(
    readonly path: string | null,
    private readonly clock: Pick<Clock, 'nowNs'> = wallClock(),
    private readonly io: RecorderIo = { writeSync },
  ) {
    if (path === null) {
      this.fd = null;
      return;
    }
    try {
      this.fd = openSync(path, 'w');
    } catch (err) {
      throw new OutputError(`cannot write ${path}: ${fsReason(err)}`);
    }
  }

  /** Writes every event recorded so far to `path`, one JSON object per line. */
  writeTo(path: string): void {
    try {
      writeFileSync(path, this.events.map((e) => JSON.stringify(e) + '\n').join(''));
    } catch (err) {
      throw new OutputError(`cannot write ${path}: ${fsReason(err)}`);
    }
  }

  /** Nanoseconds on the run's clock. */
  now(): number {
    const t = this.clock.nowNs();
    // Strictly increasing, so the times keep the order in which the harness saw the events: on the
    // virtual clock a reply and the request it allowed happen at one instant, and with equal times
    // the checker (closed intervals) would take that request for concurrent with the operation before it.
    this.lastTime = Math.max(this.lastTime + 1, t);
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

  /** Throws the write failure, if there was one: for the run to stop on. */
  throwIfFailed(): void {
    if (this.failure !== null) throw this.failure;
  }

  close(): void {
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
    }
  }

  private append(event: HistoryEvent): void {
    this.events.push(event);
    if (this.fd === null || this.failure !== null) return;
    const line = Buffer.from(JSON.stringify(event) + '\n');
    try {
      // write(2) may write part of a line (a disk filling up); finish it or fail.
      for (let done = 0; done < line.length; ) {
        const n = this.io.writeSync(this.fd, line, done, line.length - done, this.committedBytes + done);
        if (n <= 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        done += n;
      }
      this.committedBytes += line.length;
      this.committedEvents++;
    } catch (err) {
      this.fail(err);
    }
  }

  private fail(err: unknown): void {
    let cut = '';
    try {
      // Shrinking a file needs no space, so this works on a full disk too.
      ftruncateSync(this.fd!, this.committedBytes);
    } catch (truncateErr) {
      cut = ` (and cutting off the torn last line failed too: ${fsReason(truncateErr)})`;
    }
    this.close();
    this.failure = new OutputError(
      `cannot write ${this.path}: ${fsReason(err)}${cut}; it keeps the first ${this.committedEvents} events as whole lines (npm run -s check -- ${this.path})`,
    );
    this.abort.abort(this.failure);
  }
}
