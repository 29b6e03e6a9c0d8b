// Throughput and latency of a design on loopback, no faults:
//   npx tsx system-under-test/testing/measure.ts DESIGN [SECONDS] [CLIENTS]
// Closed loop: each client sends its next request when the last is answered.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Cluster, killAllNow } from './cluster.ts';
import { sleep } from './wait.ts';

async function main(): Promise<void> {
  const [design = 'viewserver', seconds = '5', clients = '4'] = process.argv.slice(2);
  const folder = join(fileURLToPath(new URL('..', import.meta.url)), design);
  const cluster = await Cluster.start(join(folder, 'system.json'));
  try {
    await sleep(1500); // let a view form
    const latencies: number[] = [];
    let errors = 0;
    const end = performance.now() + Number(seconds) * 1000;
    await Promise.all(
      Array.from({ length: Number(clients) }, async (_, i) => {
        const c = await cluster.client(cluster.definition.clientNodes[i % cluster.definition.clientNodes.length]);
        for (let n = 0; performance.now() < end; n++) {
          const t0 = performance.now();
          const key = `k${n % 4}`;
          const reply = await c.request(n % 2 === 0 ? { type: 'write', key, value: n } : { type: 'read', key }, 5000);
          if (reply === null || (reply.type === 'error' && reply.code !== 20)) errors++;
          else latencies.push(performance.now() - t0);
        }
      }),
    );
    latencies.sort((a, b) => a - b);
    const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]?.toFixed(2);
    process.stdout.write(
      `${design}: ${clients} clients, ${seconds} s: ${(latencies.length / Number(seconds)).toFixed(0)} ok ops/s, ${errors} errors, latency p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${q(1)} ms\n`,
    );
  } finally {
    await cluster.stop();
    killAllNow();
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  killAllNow();
  process.exit(1);
});
