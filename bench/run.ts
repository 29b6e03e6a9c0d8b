// `npm run bench [SECTION...]`: runs benchmark sections, each a module in
// bench/ exporting `run(): Promise<void>` that prints its own figures.
// Timing claims live here, never in unit tests.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Section name -> module, relative to the repo root.
const modules: Record<string, string> = {
  checker: 'bench/checker.ts',
  cli: 'bench/cli.ts',
  proxy: 'bench/proxy.ts',
  harness: 'bench/harness.ts',
  sim: 'bench/sim.ts',
  defaults: 'bench/defaults.ts',
  sharpness: 'bench/sharpness.ts',
  designs: 'bench/designs.ts',
  maelstrom: 'bench/maelstrom.ts',
  report: 'harness/report/bench.ts',
};
const sections = Object.keys(modules);

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes('--help')) {
    process.stdout.write(`usage: npm run bench [-- SECTION...]\nsections: ${sections.join(', ')} (default: all)\n`);
    return 0;
  }
  const unknown = args.filter((a) => !sections.includes(a));
  if (unknown.length > 0) {
    process.stderr.write(`bench: unknown section(s) ${unknown.join(', ')}; sections: ${sections.join(', ')}\n`);
    return 2;
  }
  let missing = 0;
  for (const name of args.length > 0 ? args : sections) {
    const path = join(root, modules[name]);
    process.stdout.write(`\n## ${name}\n\n`);
    if (!existsSync(path)) {
      process.stdout.write(`(not built yet: ${modules[name]} is missing)\n`);
      missing++;
      continue;
    }
    const mod = (await import(path)) as { run: () => Promise<void> };
    await mod.run();
  }
  return missing > 0 ? 1 : 0;
}

main().then((code) => {
  process.exitCode = code;
});
