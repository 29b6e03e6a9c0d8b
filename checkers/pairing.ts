// Pairs invokes with completions and enforces the history's order rules
// (DESIGN.md): each process alternates invoke and completion, a process
// retired by an `info` never invokes again, and time never goes backwards.
// Every violation names the line, because it is the user's history, not us.
import { failAt } from './errors.ts';
import { showKey } from './keys.ts';
import type { ClientEvent, HistoryEvent, Operation, Value } from './types.ts';
import type { LocatedEvent } from './importers/located.ts';

function describe(e: ClientEvent): string {
  return `${e.f}${e.key !== undefined && e.key !== '' ? ` of ${showKey(e.key)}` : ''}`;
}

const named = (key: string | undefined): string => (key === undefined || key === '' ? 'no key' : showKey(key));

export function pairLocated(located: LocatedEvent[], file: string): Operation[] {
  const ops: Operation[] = [];
  const open = new Map<number, { op: Operation; line: number; event: ClientEvent }>();
  const retiredAt = new Map<number, number>();
  let lastTime = -Infinity;
  let lastTimeLine = 0;
  // Indexed, not for-of with destructuring: in a cold process's interpreter those allocate per event.
  for (let i = 0; i < located.length; i++) {
    const { line, event } = located[i];
    if (event.time < lastTime) failAt(file, line, `time goes backwards: ${event.time} is before ${lastTime} on line ${lastTimeLine}`);
    lastTime = event.time;
    lastTimeLine = line;
    if (event.process === 'nemesis') continue;
    const e = event as ClientEvent;
    const p = e.process;
    if (e.type === 'invoke') {
      const pending = open.get(p);
      if (pending !== undefined) failAt(file, line, `process ${p} invokes ${describe(e)} while its ${describe(pending.event)} from line ${pending.line} has not completed`);
      const retired = retiredAt.get(p);
      if (retired !== undefined) failAt(file, line, `process ${p} invokes again after its info completion on line ${retired} retired it (use a fresh process id)`);
      const op: Operation = {
        id: ops.length,
        process: p,
        f: e.f,
        key: e.key ?? '',
        input: e.f === 'read' ? null : e.value,
        output: null,
        status: 'info',
        call: e.time,
        return: Infinity,
        invokeIndex: e.index,
        completeIndex: null,
      };
      ops.push(op);
      open.set(p, { op, line, event: e });
      continue;
    }
    const pending = open.get(p);
    if (pending === undefined) {
      const retired = retiredAt.get(p);
      failAt(file, line, `${e.type} completion of ${describe(e)} by process ${p} has no matching invoke${retired !== undefined ? ` (the process was retired on line ${retired})` : ''}`);
      return ops; // unreachable; helps the type checker
    }
    if (pending.event.f !== e.f) failAt(file, line, `${e.type} completion of ${e.f} by process ${p} does not match its invoke of ${pending.event.f} on line ${pending.line}`);
    if ((pending.event.key ?? '') !== (e.key ?? '')) failAt(file, line, `${e.type} completion by process ${p} names ${named(e.key)} but its invoke on line ${pending.line} names ${named(pending.event.key)}`);
    open.delete(p);
    const op = pending.op;
    op.status = e.type;
    op.completeIndex = e.index;
    if (e.type === 'info') {
      // Indeterminate: may have happened at any time after its invoke, so it returns at infinity.
      retiredAt.set(p, line);
    } else {
      op.return = e.time;
      if (e.type === 'ok' && e.f === 'read') op.output = e.value as Value;
    }
  }
  // Operations that never completed are indeterminate, like info.
  return ops;
}

/** Pairs already-parsed events; errors name the event's position (1-based) as its line. */
export function pairOperations(events: HistoryEvent[], file = '<history>'): Operation[] {
  return pairLocated(events.map((event, i) => ({ line: i + 1, event })), file);
}
