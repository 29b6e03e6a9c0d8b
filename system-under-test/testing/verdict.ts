// Judges what a store test recorded with the project's real checker
// (checkers/), so the store's tests and the harness can never disagree about
// what linearizable means. Test support only: the store's runtime code imports
// nothing from checkers/ or harness/ (boundaries.test.ts enforces it).
import { checkOperationsSync, renderFailureText, type CheckResultDetail, type Operation } from '../../checkers/index.ts';
import type { RecordedOp } from './recorder.ts';

const NS_PER_MS = 1e6;

export interface VerdictOptions {
  timeoutMs?: number;
  /**
   * The simulator's clock is discrete: in one tick a client first collects the
   * replies that arrived, then issues new requests. Intervals are closed (a call
   * at the very instant of another op's return counts as concurrent), which
   * would lose that order; with this set, a call at tick t is placed just after
   * every return at t. Only for histories recorded that way (sim tests).
   */
  repliesBeforeRequests?: boolean;
}

/** Recorded intervals (ms) as checker operations (ns); an `info` op returns at infinity, as DESIGN.md says. */
export function toOperations(recorded: readonly RecordedOp[], options: VerdictOptions = {}): Operation[] {
  const shift = options.repliesBeforeRequests === true ? 1 : 0;
  return recorded.map((op, id) => {
    const call = Math.round(op.call * NS_PER_MS) + shift;
    return {
      id,
      process: op.process,
      f: op.f,
      key: op.key,
      input: op.f === 'read' ? null : op.input,
      output: op.status === 'ok' && op.f === 'read' ? op.output : null,
      status: op.status,
      call,
      return: op.status === 'info' ? Infinity : Math.max(call, Math.round(op.return * NS_PER_MS)),
      invokeIndex: id,
      completeIndex: op.status === 'info' ? null : id,
    };
  });
}

export interface RecordedVerdict {
  valid: CheckResultDetail['valid'];
  /** The checker's explanation of every failing key, for assertion messages. */
  explanation: string;
}

export function checkRecorded(recorded: readonly RecordedOp[], options: VerdictOptions = {}): RecordedVerdict {
  const result = checkOperationsSync(toOperations(recorded, options), { timeoutMs: options.timeoutMs ?? 60_000 });
  return { valid: result.valid, explanation: result.valid === true ? '' : renderFailureText('recorded history', result, 'ns') };
}
