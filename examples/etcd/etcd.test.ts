// etcd from Debian, unmodified, tortured as a user would (`npm run torture`),
// with the two verdicts of Jepsen's 2020 analysis of etcd 3.4.3: key-value
// operations linearizable (through partitions and crashes), serializable
// reads stale. Short runs; the README shows the longer matrix.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { kernelNetworkUnavailable } from '../../harness/cluster/kernelNetwork.ts';
import { missingPrograms } from '../../harness/cluster/which.ts';
import { loadSystem } from '../../harness/system/definition.ts';
import { tortureJson } from '../../harness/torture/testkit.ts';

const here = dirname(fileURLToPath(import.meta.url));
const missing = missingPrograms({ etcd: 'etcd-server' }) ?? kernelNetworkUnavailable();

describe('examples/etcd definitions', () => {
  it('load, and differ only in the claim and the read option', () => {
    const linearizable = loadSystem(join(here, 'system.json'));
    const serializable = loadSystem(join(here, 'system-serializable.json'));
    expect([linearizable.claims, serializable.claims]).toEqual(['linearizable', 'not-linearizable']);
    expect(linearizable.network).toBe('kernel');
    expect(serializable.nodes).toEqual(linearizable.nodes);
    expect([linearizable.client!.options, serializable.client!.options]).toEqual([{}, { reads: 'serializable' }]);
  });
});

describe.skipIf(missing !== null)(`etcd under torture${missing ? ` (skipped: ${missing})` : ''}`, () => {
  it(
    'linearizable reads pass partition and kill; serializable reads are caught under partition',
    async () => {
      const run = async (system: string, nemesis: string) => {
        const { code, doc } = await tortureJson<{ pass: boolean; runs: Array<{ system: string; nemesis: string; valid: unknown; unknownReason: string | null; historyPath: string }> }>(
          ['--system', join(here, system), '--nemesis', nemesis, '--quick', '--time-limit', '10', '--seed', '7'],
        );
        // A run that matched its claim keeps its history but not etcd's data (64 MB of log per member).
        for (const r of doc.runs) expect(existsSync(join(dirname(r.historyPath), 'data'))).toBe(false);
        return { code, pass: doc.pass, verdicts: doc.runs.map((r) => `${r.system} × ${r.nemesis}: ${String(r.valid)}${r.unknownReason ? ` (${r.unknownReason})` : ''}`) };
      };
      expect(await run('system.json', 'partition,kill')).toEqual({ code: 0, pass: true, verdicts: ['etcd × partition: true', 'etcd × kill: true'] });
      // The stale read under partition is what Jepsen found.
      expect(await run('system-serializable.json', 'partition')).toEqual({ code: 0, pass: true, verdicts: ['etcd-serializable × partition: false'] });
    },
    240_000,
  );
});
