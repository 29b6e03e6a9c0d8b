// The randomized safety tests are only worth their time if they catch the bug
// classes they were shaped for. Each planted bug (planted.ts) has a system
// definition of its own (planted/*.json here and in raftvs/, claiming
// not-linearizable, the bug passed through `--plant`), and the rotation of
// that definition's nemeses (harness/sim/property.ts) must catch it within a
// few runs. Bounds from `npm run bench -- sharpness` (the worst of 20
// starting seeds: 13 to 30 runs), doubled.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkProperty, runsUntilCaught, targetedWorkload } from '../../harness/sim/property.ts';
import { loadSystem } from '../../harness/system/definition.ts';
import { plantableBugs } from './planted.ts';

const sut = fileURLToPath(new URL('..', import.meta.url));
const CATCH_WITHIN = 60;
const definitions = ['viewserver', 'raftvs'].flatMap((d) => readdirSync(join(sut, d, 'planted')).map((f) => join(sut, d, 'planted', f)));

describe('planted bugs, each caught by its definition\'s rotation in simulation', () => {
  it('every bug a design can have has a definition', () => {
    const names = definitions.map((f) => loadSystem(f).name);
    for (const bug of plantableBugs(false)) expect(names).toContain(`viewserver-${bug}`);
    expect(names).toContain('raftvs-applyUncommitted');
  });

  for (const file of definitions) {
    const system = loadSystem(file);
    it(`${system.name} is caught within ${CATCH_WITHIN} runs`, { timeout: 300_000 }, async () => {
      expect(system.claims).toBe('not-linearizable');
      const runs = await runsUntilCaught({ system, nemeses: system.nemeses!, workload: targetedWorkload, seed: 1000, max: CATCH_WITHIN });
      expect(runs, `${system.name}: not caught in ${CATCH_WITHIN} runs`).not.toBeNull();
    });
  }

  it('a caught bug is shrunk to a handful of operations and faults, and explained', { timeout: 300_000 }, async () => {
    const system = loadSystem(join(sut, 'viewserver', 'planted', 'localReads.json'));
    const { failure } = await checkProperty({ system, nemeses: system.nemeses!, workload: targetedWorkload, seed: 1000, runs: 1, shrinkMs: 30_000 });
    expect(failure).not.toBeNull();
    expect(failure!.toSize).toBeLessThan(failure!.fromSize / 10);
    expect(failure!.report).toMatch(/is not linearizable/);
    expect(failure!.report).toMatch(/--replay .*schedule\.json/);
    expect(failure!.report).toMatch(/NOT linearizable/);
  });
});
