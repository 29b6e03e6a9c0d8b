// Test fixture: starts the example store's cluster (or the definition in
// argv[3]), prints its pids (and, on the kernel network backend, its network
// namespaces) as one JSON line, then misbehaves as asked (argv[2]):
//   throw  an uncaught exception
//   reject an unhandled promise rejection
//   wait   nothing: wait to be signalled (SIGINT, SIGTERM, SIGKILL)
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProcessCluster } from '../cluster.ts';
import { loadSystem } from '../../system/definition.ts';

const mode = process.argv[2];
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const cluster = await ProcessCluster.start(loadSystem(process.argv[3] ?? join(root, 'examples', 'kvstore', 'system.json')), {
  logDir: mkdtempSync(join(tmpdir(), 'sb-hold-')),
});
process.stdout.write(JSON.stringify({ pids: cluster.owner.pids(), netns: cluster.kernelNetwork?.namespaces() ?? [] }) + '\n');
if (mode === 'throw') {
  setTimeout(() => {
    throw new Error('fixture: deliberate uncaught exception');
  }, 100);
} else if (mode === 'reject') {
  setTimeout(() => void Promise.reject(new Error('fixture: deliberate unhandled rejection')), 100);
} else {
  setInterval(() => undefined, 1000);
}
