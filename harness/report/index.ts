// Public API of the report: `writeReport` (called by the torture runner for
// every run and by `inspect`) and `renderReport` (the HTML as a string).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CheckResult, HistoryEvent } from '../../checkers/types.ts';
import { prepareReport, type RunMeta } from './prepare.ts';
import { renderPage, type PageAssets } from './render.ts';
import { receivedAbout, type JournalEntry, type NodeColumn } from '../sim/journal.ts';

export type { RunMeta } from './prepare.ts';
export { prepareReport } from './prepare.ts';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

let assetsPromise: Promise<PageAssets> | null = null;

/**
 * The page script (client/main.ts with uPlot, from node_modules at the pinned
 * version) bundled once per process with esbuild into one IIFE, and uPlot's
 * stylesheet; both are inlined into every report.
 */
export function pageAssets(): Promise<PageAssets> {
  assetsPromise ??= (async () => {
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
  })();
  assetsPromise.catch(() => {
    assetsPromise = null;
  });
  return assetsPromise;
}

export interface ReportInput {
  history: HistoryEvent[];
  result: CheckResult;
  meta?: RunMeta;
  /** A simulated run's message journal, and the nodes whose inboxes tell the story (the state holders). */
  journal?: { entries: JournalEntry[]; nodes: string[] };
}

/** Around a counterexample, how much earlier and later a message may have been delivered and still belong to it. */
const JOURNAL_MARGIN_MS = 250;

export async function renderReport({ history, result, meta, journal }: ReportInput): Promise<string> {
  const data = prepareReport(history, result, meta ?? {});
  const title = `splitbrain: ${meta?.system ?? 'history'} — ${result.valid === true ? 'linearizable' : result.valid === false ? 'NOT linearizable' : 'unknown'}`;
  const told: Record<string, NodeColumn[]> = {};
  if (journal !== undefined) {
    for (const f of data.failures) {
      const range = f.minimalRange ?? f.timeRange;
      told[f.anchor] = receivedAbout(journal.entries, f.key, journal.nodes, range[0] - JOURNAL_MARGIN_MS, range[1] + JOURNAL_MARGIN_MS);
    }
  }
  return renderPage(data, await pageAssets(), title, told);
}

/** Write report.html (or `outPath`) and return its absolute path. */
export async function writeReport(input: ReportInput & { outPath: string }): Promise<string> {
  const html = await renderReport(input);
  const out = resolve(input.outPath);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, html);
  return out;
}
