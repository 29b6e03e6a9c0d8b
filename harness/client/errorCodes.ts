// The client wire protocol's error codes, as the harness reads them. There is
// one registry (system-under-test/runtime/protocol.ts, documented in
// PROTOCOL.md and kept equal to it by a test there); the recorder's fail/info
// choice reads it here. `definite` means the operation certainly did not
// happen, so the recorder may write `fail`; anything else, and any code not
// in the registry, is indefinite (`info`): when in doubt, indefinite is safe.
import { errorRegistry } from '../../system-under-test/runtime/protocol.ts';

export interface ErrorCode {
  code: number;
  name: string;
  definite: boolean;
}

export const errorCodes: readonly ErrorCode[] = errorRegistry;

export function describeError(code: number): ErrorCode {
  return errorCodes.find((e) => e.code === code) ?? { code, name: `error-${code}`, definite: false };
}
