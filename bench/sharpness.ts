// How sharp are the randomized safety tests? For each planted bug (a system
// definition under system-under-test/*/planted/, claiming not-linearizable),
// plays the rotation of its definition's nemeses (harness/sim/property.ts,
// the targeted workload) from several starting seeds and reports how many
// runs each start took until a history was not linearizable. The planted-bug
// tests' bounds are chosen from these figures, with margin.
//   npm run bench -- sharpness        (SHARPNESS_STARTS, SHARPNESS_MAX to change the defaults)
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runsUntilCaught, targetedWorkload } from '../harness/sim/property.ts';
import { loadSystem } from '../harness/system/definition.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export function plantedDefinitions(): string[] {
  const sut = join(root, 'system-under-test');
  return readdirSync(sut).flatMap((design) => {
    const dir = join(sut, design, 'planted');
    try {
      return readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => join(dir, f));
    } catch {
      return [];
    }
  });
}

export async function run(): Promise<void> {
  const starts = Number(process.env.SHARPNESS_STARTS ?? 20);
  const max = Number(process.env.SHARPNESS_MAX ?? 200);
  for (const file of plantedDefinitions()) {
    const system = loadSystem(file);
    const nemeses = system.nemeses ?? ['partition'];
    const t0 = performance.now();
    const found: Array<number | null> = [];
    for (let k = 1; k <= starts; k++) found.push(await runsUntilCaught({ system, nemeses, workload: targetedWorkload, seed: 1000 * k, max }));
    const caught = found.filter((n): n is number => n !== null);
    const mean = caught.length === 0 ? NaN : caught.reduce((a, b) => a + b, 0) / caught.length;
    process.stdout.write(
      `${system.name} (rotation ${nemeses.join(', ')}): caught from ${caught.length}/${starts} starts; runs until caught: mean ${mean.toFixed(1)}, max ${Math.max(...caught)}; ` +
        `[${found.map((n) => n ?? `>${max}`).join(' ')}] (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`,
    );
  }
}
