// The report's page script (client/main.ts with uPlot) bundled into one IIFE,
// and uPlot's stylesheet, both inlined into every report. esbuild and uPlot
// are build-time tools: the build (scripts/build.ts) writes these two assets
// into dist/ once, and only a checkout, running the TypeScript, bundles them
// on the fly through here.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PageAssets } from './render.ts';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

export async function bundlePage(): Promise<PageAssets> {
  const esbuild = await import('esbuild');
  const built = await esbuild.build({
    entryPoints: [join(here, 'client', 'main.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    minify: true,
    target: 'es2020',
    platform: 'browser',
    logLevel: 'silent',
  });
  const script = built.outputFiles[0].text.replace(/<\/script/gi, '<\\/script');
  const css = await readFile(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
  return { script, css };
}
