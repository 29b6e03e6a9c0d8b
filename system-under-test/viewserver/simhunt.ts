// How sharp is the randomized safety test? For each planted bug (planted.ts),
// plays the schedules of consecutive seeds until one history is not
// linearizable, and reports how many runs that took, over several starting
// seeds. A measurement tool, not a test:
//   npx tsx system-under-test/viewserver/simhunt.ts [--starts 20] [--max 400] [bug ...]
import { isPlantedBug, PLANTED_BUGS, type PlantedBug } from './planted.ts';
import { viewServerDesign } from './simcluster.ts';
import { runsUntilCaught } from './simproperty.ts';

const HELP = `usage: simhunt.ts [--starts N] [--max N] [bug ...]
  runs until caught, for each planted bug (default: all of ${Object.keys(PLANTED_BUGS).join(', ')}),
  from N starting seeds (1000, 2000, ...); gives up on a start after --max runs.`;

function main(argv: string[]): number {
  let starts = 20;
  let max = 400;
  const bugs: PlantedBug[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') return (console.log(HELP), 0);
    if (a === '--starts' || a === '--max') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1) return (console.error(`${a} needs a positive integer\n${HELP}`), 2);
      if (a === '--starts') starts = n;
      else max = n;
    } else if (isPlantedBug(a)) bugs.push(a);
    else return (console.error(`unknown argument '${a}'\n${HELP}`), 2);
  }
  for (const bug of bugs.length > 0 ? bugs : (Object.keys(PLANTED_BUGS) as PlantedBug[])) {
    const design = viewServerDesign({ planted: [bug] });
    const found = Array.from({ length: starts }, (_, k) => runsUntilCaught(1000 * (k + 1), max, design));
    const caught = found.filter((n): n is number => n !== null);
    const mean = caught.length === 0 ? NaN : caught.reduce((a, b) => a + b, 0) / caught.length;
    console.log(`${bug}: caught from ${caught.length}/${starts} starts; runs until caught: mean ${mean.toFixed(1)}, max ${Math.max(...caught)}; [${found.map((n) => n ?? `>${max}`).join(' ')}]`);
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
