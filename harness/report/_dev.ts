import { writeReport } from '/work/wt/report/harness/report/index.ts';
import { failoverExample } from '/work/wt/report/harness/report/fixtures.ts';
const { history, result } = failoverExample('/work/wt/report/histories/examples/failover-stale-read-bad.jsonl');
const out = await writeReport({ history, result, meta: { system: 'failover', nemeses: ['partition'], seed: 42, expected: 'not-linearizable', command: 'npm run -s torture -- --system failover --nemesis partition --seed 42 --runs 1' }, outPath: '/work/wt/report/test-output/example.html' });
console.log(out);
