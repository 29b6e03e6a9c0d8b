// Public API of the report: `writeReport` (called by the torture runner for
// every run and by `inspect`) and `renderReport` (the HTML as a string).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CheckResult, HistoryEvent } from '../../checkers/types.ts';
import { built } from '../packageRoot.ts';
import { prepareReport, type RunMeta } from './prepare.ts';
import { renderPage, type PageAssets } from './render.ts';
import { receivedAbout, type JournalEntry, type NodeColumn } from '../sim/journal.ts';

export type { RunMeta } from './prepare.ts';
export { prepareReport } from './prepare.ts';

const here = dirname(fileURLToPath(import.meta.url));

/** Where the build puts the bundled page script and stylesheet (scripts/build.ts). */
export const PAGE_ASSET_FILES = { script: join('client', 'page.js'), css: join('client', 'page.css') };

let assetsPromise: Promise<PageAssets> | null = null;

/**
 * The page script (client/main.ts with uPlot) and uPlot's stylesheet, loaded
 * once per process: from the build's files, or bundled on the fly when
 * running the TypeScript (pageBundle.ts).
 */
export function pageAssets(): Promise<PageAssets> {
  assetsPromise ??= built
    ? Promise.all([readFile(join(here, PAGE_ASSET_FILES.script), 'utf8'), readFile(join(here, PAGE_ASSET_FILES.css), 'utf8')]).then(([script, css]) => ({ script, css }))
    : import('./pageBundle.ts').then((m) => m.bundlePage());
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
