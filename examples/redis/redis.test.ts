// Redis from Debian, unmodified, tortured as a user would (`npm run torture`):
// a primary with two asynchronous replicas, clients reading from the node
// they are bound to, must be caught (a replica answers from a copy that the
// primary's acknowledged writes have not reached yet); and with Sentinel
// failover and reads from masters only, isolating the primary with its
// clients must be caught too (Jepsen 2013: the old primary acknowledges
// writes that the failover discards).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { kernelNetworkUnavailable } from '../../harness/cluster/kernelNetwork.ts';
import { missingPrograms } from '../../harness/cluster/which.ts';
import { loadSystem } from '../../harness/system/definition.ts';
import { tortureJson } from '../../harness/torture/testkit.ts';

const here = dirname(fileURLToPath(import.meta.url));
const missing = missingPrograms({ 'redis-server': 'redis-server' });
const missingSentinel = missingPrograms({ 'redis-server': 'redis-server', 'redis-sentinel': 'redis-sentinel' }) ?? kernelNetworkUnavailable();

describe('examples/redis definition', () => {
  it('loads: replicas reach the primary through their proxies; no one claims linearizability', () => {
    const def = loadSystem(join(here, 'system.json'));
    expect(def.claims).toBe('not-linearizable');
    expect(def.network).toBe('proxy');
    expect(def.nodes.filter((n) => n.command.includes('--replicaof')).map((n) => [n.id, n.connectsTo])).toEqual([['n2', ['n1']], ['n3', ['n1']]]);
  });
});

describe.skipIf(missing !== null)(`redis under torture${missing ? ` (skipped: ${missing})` : ''}`, () => {
  it(
    'a primary with asynchronous replicas is caught under partition',
    async () => {
      const { code, doc } = await tortureJson<{ pass: boolean; runs: Array<{ system: string; nemesis: string; valid: unknown; ok: number }> }>(
        ['--system', join(here, 'system.json'), '--nemesis', 'partition', '--quick', '--time-limit', '10', '--seed', '7'],
      );
      expect(doc.runs.map((r) => [r.system, r.nemesis, r.valid])).toEqual([['redis', 'partition', false]]);
      expect(doc.runs[0].ok).toBeGreaterThan(20);
      expect(doc.pass).toBe(true);
      expect(code).toBe(0);
    },
    120_000,
  );
});

describe.skipIf(missingSentinel !== null)(`redis with sentinel failover under torture${missingSentinel ? ` (skipped: ${missingSentinel})` : ''}`, () => {
  it(
    'reads from masters only pass without faults; isolating the primary with its clients is caught',
    async () => {
      const { doc } = await tortureJson<{ pass: boolean; runs: Array<{ nemesis: string; valid: unknown; unknownReason: string | null }> }>(
        ['--system', join(here, 'system-sentinel.json'), '--nemesis', 'none,isolate-primary', '--quick', '--time-limit', '10', '--seed', '7'],
      );
      // No faults, no split brain: a single master's history is linearizable (so what the fault shows is the fault's).
      expect(doc.runs.map((r) => [r.nemesis, r.valid, r.unknownReason])).toEqual([['none', true, null], ['isolate-primary', false, null]]);
      expect(doc.pass).toBe(true);
    },
    120_000,
  );
});
