// The checker's public data types: what the recorder writes, what the
// importers produce, what the search returns. Harness and report code import
// these; the checker's internals stay behind checkers/index.ts.
//
// Semantics (as in Porcupine and Knossos): an operation is an interval from
// its invoke to its completion. `ok` happened, `fail` definitely did not
// happen (it is dropped before checking), `info` (or no completion at all)
// may or may not have happened, and for checking it returns at infinity:
// it stays concurrent with everything invoked after it.

/** A register value. Integers for the built-in store, strings for imported append histories. */
export type Value = number | string | null;

export type EventType = 'invoke' | 'ok' | 'fail' | 'info';
export type OpFunction = 'read' | 'write' | 'cas' | 'append';

/** One line of history.jsonl (see ../shared/DESIGN.md, "History format"). */
export interface ClientEvent {
  index: number;
  /** Nanoseconds since the run started, non-decreasing. */
  time: number;
  process: number;
  type: EventType;
  f: OpFunction;
  /**
   * The key's name (keys.ts): in history.jsonl a key is a string or an
   * integer, and 1 and "1" are different keys, so the integer key 1 is named
   * `1` and the string key "1" is named `"1"` (in quotes). Absent: no key.
   */
  key?: string;
  /** read: the value read (null on invoke); write/append: the argument; cas: [from, to]. */
  value: Value | [Value, Value];
  error?: string;
}

/** Nemesis events are drawn by reports and ignored by checkers. */
export interface NemesisEvent {
  index: number;
  time: number;
  process: 'nemesis';
  type: 'info';
  /** e.g. start-partition, stop-partition, start-kill ... */
  f: string;
  value?: unknown;
}

export type HistoryEvent = ClientEvent | NemesisEvent;

/** An invoke paired with its completion. */
export interface Operation {
  /** Position of the operation in invoke order within its history (0, 1, ...). */
  id: number;
  process: number;
  f: OpFunction;
  /** The key's name (see ClientEvent.key); '' for a history without keys. */
  key: string;
  /** write/append: argument; cas: [from, to]; read: null. */
  input: Value | [Value, Value];
  /** read: value returned (ok only); otherwise null. */
  output: Value;
  status: 'ok' | 'fail' | 'info';
  /** Invoke time, ns. */
  call: number;
  /** Completion time, ns; Infinity for info and for operations that never completed. */
  return: number;
  /** index of the invoke event in the history, and of the completion (null if none). */
  invokeIndex: number;
  completeIndex: number | null;
}

export type Verdict = true | false | 'unknown';

/** One step of a linearization: the operation and the register state around it. */
export interface LinearizationStep {
  op: Operation;
  stateBefore: Value;
  stateAfter: Value;
}

export interface KeyFailure {
  key: string;
  /** The longest linearizable prefix the search found, in linearization order. */
  longestPrefix: LinearizationStep[];
  /** The operation that cannot be linearized after that prefix. */
  stuck: Operation;
  /**
   * A minimal non-linearizable sub-history, *closed* with respect to the key's whole history
   * (checkers/closure.ts): it keeps every write that could have been the source of a value it observes, so
   * its being non-linearizable proves the whole history is not. 1-minimal among closed
   * sub-histories: removing any one op, with the ops that then lose a possible source of what they
   * observed, makes it linearizable.
   */
  minimal: Operation[];
  /** One or two sentences in plain words. */
  explanation: string;
}

export interface KeyResult {
  key: string;
  valid: Verdict;
  ops: number;
  elapsedMs: number;
}

export interface CheckResult {
  valid: Verdict;
  /** Client operations (invokes) in the history. */
  ops: number;
  keys: number;
  /** Checking time, parsing excluded. */
  elapsedMs: number;
  /**
   * Of elapsedMs, the time until the verdict was certain: the first violation
   * found, else the end of the search. What follows it is the report's work:
   * the other keys' grace after a violation, shrinking and explaining.
   */
  verdictMs: number;
  failures: KeyFailure[];
  perKey: KeyResult[];
}
