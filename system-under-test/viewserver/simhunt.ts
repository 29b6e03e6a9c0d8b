// How sharp is the randomized safety test? For each planted bug (planted.ts),
// plays the schedules of consecutive seeds until one history is not
// linearizable, and reports how many runs that took, over several starting
// seeds. A measurement tool, not a test:
//   npx tsx system-under-test/viewserver/simhunt.ts [--design raftvs] [--starts 20] [--max 400] [bug ...]
import { raftDesign } from '../raftvs/simDesign.ts';
import { isPlantedBug, plantableBugs, type PlantedBug } from './planted.ts';
import { viewServerDesign } from './simcluster.ts';
import { runsUntilCaught } from './simproperty.ts';

const HELP = `usage: simhunt.ts [--design viewserver|raftvs] [--starts N] [--max N] [bug ...]
  runs until caught, for each planted bug (default: every bug the design can have:
  ${plantableBugs(false).join(', ')}; raftvs also ${plantableBugs(true).filter((b) => !plantableBugs(false).includes(b)).join(', ')}),
  from N starting seeds (1000, 2000, ...); gives up on a start after --max runs.`;

function main(argv: string[]): number {
  let starts = 20;
  let max = 400;
  const bugs: PlantedBug[] = [];
  let replicated = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') return (console.log(HELP), 0);
    if (a === '--design') {
      const d = argv[++i];
      if (d !== 'viewserver' && d !== 'raftvs') return (console.error(`--design takes viewserver or raftvs\n${HELP}`), 2);
      replicated = d === 'raftvs';
      continue;
    }
    if (a === '--starts' || a === '--max') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1) return (console.error(`${a} needs a positive integer\n${HELP}`), 2);
      if (a === '--starts') starts = n;
      else max = n;
    } else if (isPlantedBug(a)) bugs.push(a);
    else return (console.error(`unknown argument '${a}'\n${HELP}`), 2);
  }
  for (const bug of bugs.length > 0 ? bugs : plantableBugs(replicated)) {
    const design = replicated ? raftDesign({ planted: [bug] }) : viewServerDesign({ planted: [bug] });
    const found = Array.from({ length: starts }, (_, k) => runsUntilCaught(1000 * (k + 1), max, design, replicated));
    const caught = found.filter((n): n is number => n !== null);
    const mean = caught.length === 0 ? NaN : caught.reduce((a, b) => a + b, 0) / caught.length;
    console.log(`${bug}: caught from ${caught.length}/${starts} starts; runs until caught: mean ${mean.toFixed(1)}, max ${Math.max(...caught)}; [${found.map((n) => n ?? `>${max}`).join(' ')}]`);
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
