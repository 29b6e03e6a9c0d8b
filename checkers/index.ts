// The checker's public API. Harness, report and CLI code import from here only.
//
// Module map: importers/ (jsonl, jepsen, edn -> located events), pairing.ts
// (order rules, invoke/completion pairs), reduce.ts (sound reductions),
// model.ts (the register), search.ts (JIT linearization with a memo cache),
// explain.ts (minimal sub-history, plain words), check.ts (per key, time and
// memory limits), report.ts (text and JSON), keys.ts (key names), quote.ts
// (echoing input safely), files.ts (reading files and folders), cli.ts,
// generate.ts (histories with known verdicts).
import { HistoryError } from './errors.ts';
import { readRegularFile } from './files.ts';
import { looksLikeEdn, parseEdnHistory } from './importers/edn.ts';
import { looksLikeJepsenLog, parseJepsenLog } from './importers/jepsen.ts';
import { parseJsonl } from './importers/jsonl.ts';
import type { LocatedEvent } from './importers/located.ts';
import { pairLocated } from './pairing.ts';
import type { TimeUnit } from './explain.ts';
import { checkHistory, type CheckOptions, type CheckResultDetail } from './check.ts';
import type { HistoryEvent, Operation, Value } from './types.ts';

export { HistoryError } from './errors.ts';
export { keyName, keyOf, showKey } from './keys.ts';
export { quote, escapeControl } from './quote.ts';
export { pairOperations } from './pairing.ts';
/** What a register value may be in a history (number, string or null): the recorder validates replies with it. */
export { isValue } from './importers/jsonl.ts';
export { checkHistory, checkOperationsSync, worst, type CheckOptions, type CheckProgress, type CheckResultDetail, type KeyFailureDetail } from './check.ts';
export { describeOp, formatTime, type TimeUnit } from './explain.ts';
export { renderFailureText, toJsonReport, type FileReport } from './report.ts';
export { generateHistory, type GenerateOptions } from './generate.ts';
export type * from './types.ts';

export type HistoryFormat = 'jsonl' | 'jepsen' | 'edn';
export const FORMATS: readonly HistoryFormat[] = ['jsonl', 'jepsen', 'edn'];

/** The initial register value a format implies: Jepsen's kv histories (EDN) start from "". */
export function defaultInitialValue(format: HistoryFormat): Value {
  return format === 'edn' ? '' : null;
}

export function detectFormat(text: string): HistoryFormat {
  if (looksLikeJepsenLog(text)) return 'jepsen';
  if (looksLikeEdn(text)) return 'edn';
  return 'jsonl';
}

export interface ParseOptions {
  /** Force a format instead of detecting it from the content. */
  format?: HistoryFormat;
  /** Name used in error messages. */
  file?: string;
}

export interface ParsedHistory {
  events: HistoryEvent[];
  /** The client operations, paired (pairing validates the order rules, so parsing has them anyway). */
  ops: Operation[];
  format: HistoryFormat;
  /** Initial register value implied by the format (see defaultInitialValue). */
  initialValue: Value;
  /** ns since the start, or line numbers where the format carries no times (Jepsen logs, EDN without :time). */
  timeUnit: TimeUnit;
}

/** Parses and validates a history; throws HistoryError (file, line, message) on bad input. */
export function parseHistory(text: string, options: ParseOptions = {}): ParsedHistory {
  const file = options.file ?? '<history>';
  const format = options.format ?? detectFormat(text);
  if (!FORMATS.includes(format)) throw new HistoryError(file, 0, `unknown format '${String(format)}' (expected ${FORMATS.join(', ')})`);
  let located: LocatedEvent[];
  if (format === 'jepsen') located = parseJepsenLog(text, file);
  else if (format === 'edn') located = parseEdnHistory(text, file);
  else located = parseJsonl(text, file);
  const ops = pairLocated(located, file); // validates order rules with line numbers
  const timeUnit: TimeUnit = format !== 'jsonl' && located.every((l) => l.event.time === l.line) ? 'line' : 'ns';
  return { events: located.map((l) => l.event), ops, format, initialValue: defaultInitialValue(format), timeUnit };
}

export function parseHistoryText(text: string, options: ParseOptions = {}): HistoryEvent[] {
  return parseHistory(text, options).events;
}

/**
 * Reads and parses a history file for a command. Throws HistoryError on bad
 * input, and on a file with nothing to check: no client operation that
 * completed ok (an empty file, only nemesis events, or only fail, info and
 * unanswered operations). Such a history is linearizable whatever the system
 * did; from a file it is a recording that went wrong or the wrong --format,
 * and a gate must not pass it.
 */
export function loadHistoryFile(path: string, options: { format?: HistoryFormat } = {}): ParsedHistory {
  const text = readRegularFile(path);
  // A NUL byte never occurs in any history format; echoing binary back in a parse error garbles the terminal.
  if (text.includes('\u0000')) throw new HistoryError(path, 0, 'binary file, not a history');
  const parsed = parseHistory(text, { format: options.format, file: path });
  const { ops } = parsed;
  if (ops.length === 0) {
    const what = text.trim() === '' ? 'the file is empty' : `no operations found reading it as ${parsed.format}${options.format !== undefined ? ' (forced by --format)' : ''}`;
    throw new HistoryError(path, 0, `${what}; nothing to check`);
  }
  if (!ops.some((op) => op.status === 'ok')) {
    const count = (status: Operation['status'], answered: boolean) => ops.filter((op) => op.status === status && (op.completeIndex !== null) === answered).length;
    const parts = [`${count('info', true)} info`, `${count('fail', true)} fail`, `${count('info', false)} unanswered`];
    throw new HistoryError(path, 0, `no operation completed ok (${ops.length} invoked: ${parts.join(', ')}); nothing to check`);
  }
  return parsed;
}

export function parseHistoryFile(path: string, options: { format?: HistoryFormat } = {}): HistoryEvent[] {
  return loadHistoryFile(path, options).events;
}

export interface FileCheck extends CheckResultDetail {
  file: string;
  format: HistoryFormat;
  timeUnit: TimeUnit;
}

/**
 * Reads, parses and checks one history file (`check FILE`): the format is
 * detected unless forced, and it sets the initial value and time unit.
 * Throws HistoryError on bad input (loadHistoryFile).
 */
export async function checkFile(path: string, options: CheckOptions & { format?: HistoryFormat } = {}): Promise<FileCheck> {
  const { format, ...checkOptions } = options;
  const history = loadHistoryFile(path, { format });
  const result = await checkHistory(history.ops, { initialValue: history.initialValue, timeUnit: history.timeUnit, ...checkOptions });
  return { file: path, format: history.format, timeUnit: history.timeUnit, ...result };
}
