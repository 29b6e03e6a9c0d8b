// The client wire protocol's error codes, as the harness reads them (README,
// "Client wire protocol"; Maelstrom's error registry). `definite` means the
// operation certainly did not happen, so the recorder may write `fail`;
// anything else, and any code not listed, is indefinite (`info`): when in
// doubt, indefinite is the safe reading.
export interface ErrorCode {
  code: number;
  name: string;
  definite: boolean;
}

export const errorCodes: readonly ErrorCode[] = [
  { code: 0, name: 'timeout', definite: false },
  { code: 11, name: 'temporarily-unavailable', definite: true },
  { code: 13, name: 'crash', definite: false },
  { code: 20, name: 'key-does-not-exist', definite: true },
  { code: 22, name: 'precondition-failed', definite: true },
];

export function describeError(code: number): ErrorCode {
  return errorCodes.find((e) => e.code === code) ?? { code, name: `error-${code}`, definite: false };
}
