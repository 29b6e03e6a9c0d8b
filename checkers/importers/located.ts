import type { HistoryEvent } from '../types.ts';

/** An event and the 1-based line it came from, so later checks can name the line. */
export interface LocatedEvent {
  line: number;
  event: HistoryEvent;
}
