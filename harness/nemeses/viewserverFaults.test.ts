// The view-server faults aim at the leader of a replicated view service when
// the definition says whom to ask (raftvs: "leader": {"ask": [vs1, vs2, vs3]}).
import { describe, expect, it } from 'vitest';
import { loadSimRoles } from '../sim/roles.ts';
import { SimCluster } from '../sim/simCluster.ts';
import { loadSystem } from '../system/definition.ts';
import { parseNemesis } from './index.ts';

describe('view-server faults on a replicated view service', () => {
  it('kill-viewserver and isolate-viewserver hit the replica that leads, whichever that is', async () => {
    const def = loadSystem('raftvs');
    for (const spec of ['kill-viewserver', 'isolate-viewserver', 'pause-viewserver']) {
      for (const seed of [1, 2, 3]) {
        const cluster = await SimCluster.start(def, { seed, roles: await loadSimRoles(def) });
        try {
          await cluster.clock.sleep(3000);
          // Who leads, as each replica reports its own role (not as the nemesis asks).
          const roles = await Promise.all(['vs1', 'vs2', 'vs3'].map(async (n) => [n, await cluster.ask(n, { type: 'status' }, 1000)] as const));
          const leaders = roles.filter(([, o]) => o.kind === 'reply' && o.body.role === 'leader').map(([n]) => n);
          expect(leaders).toHaveLength(1);
          const [nemesis] = parseNemesis(spec, def, 'sim');
          // Picks that would choose another replica if the leader were not asked for.
          const fault = await nemesis.start({ cluster, pick: (n) => (['vs1', 'vs2', 'vs3'].indexOf(leaders[0]) + 1) % n });
          expect({ seed, spec, node: fault.value.node }).toEqual({ seed, spec, node: leaders[0] });
          await fault.heal();
        } finally {
          await cluster.stop();
        }
      }
    }
  });
});
