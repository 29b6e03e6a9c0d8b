// `npm run bench [SECTION...]`: runs benchmark sections, each a module in
// bench/ exporting `run(): Promise<void>` that prints its own figures.
// Timing claims live here, never in unit tests.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const sections = ['checker', 'proxy', 'harness'];

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
    const path = join(here, `${name}.ts`);
    process.stdout.write(`\n## ${name}\n\n`);
    if (!existsSync(path)) {
      process.stdout.write(`(not built yet: bench/${name}.ts is missing)\n`);
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
