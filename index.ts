// splitbrain's programmatic API, what `import { ... } from 'splitbrain'`
// gives (README, "Using splitbrain from your project"): check a history,
// run systems under faults, and the gate. Everything else is internal and
// may change.
export {
  checkHistory as check,
  checkFile,
  parseHistory,
  HistoryError,
  toJsonReport,
  renderFailureText,
  type CheckOptions,
  type CheckProgress,
  type CheckResultDetail as CheckResult,
  type FileCheck,
  type HistoryFormat,
  type ParsedHistory,
  type HistoryEvent,
  type Operation,
  type Value,
  type Verdict,
} from './checkers/index.ts';
export { torture, type RunLabel, type TortureOptions, type TortureReport, type TortureRunReport } from './harness/torture/torture.ts';
export type { Progress as RunProgress } from './harness/torture/run.ts';
export type { RunStanding } from './harness/torture/gate.ts';
export { builtinSystems, loadSystem, DefinitionError, type SystemDefinition } from './harness/system/definition.ts';
export { NemesisSpecError } from './harness/nemeses/index.ts';
