// Report benchmark (`npm run bench -- report`; also runnable alone: `npx tsx harness/report/bench.ts`).
// Figures: writing the report of a 100,000-op history, its size, and how
// long Chromium takes to draw it. Timing claims live here, not in tests.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CheckResult } from '../../checkers/types.ts';
import { chromiumMissingReason, openBrowser } from './browser.ts';
import { bigHistory } from './fixtures.ts';
import { pageAssets, writeReport } from './index.ts';

const RUNS = 3;

function spread(xs: number[]): string {
  const best = Math.min(...xs);
  const worst = Math.max(...xs);
  return `best ${best.toFixed(0)} ms, worst ${worst.toFixed(0)} ms over ${xs.length} runs`;
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'splitbrain-report-bench-'));
  try {
    const n = 100_000;
    const history = bigHistory(n, 10);
    const result: CheckResult = { valid: true, ops: n, keys: 7, elapsedMs: 0, verdictMs: 0, failures: [], perKey: [] };
    await pageAssets(); // bundle once, as a long-lived torture run does
    const writes: number[] = [];
    const out = join(dir, 'report.html');
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      await writeReport({ history, result, outPath: out });
      writes.push(performance.now() - t0);
    }
    process.stdout.write(`report of ${n} ops: write ${spread(writes)}; file ${(statSync(out).size / 1e6).toFixed(1)} MB\n`);
    const missing = chromiumMissingReason();
    if (missing !== null) {
      process.stdout.write(`page load: skipped (${missing})\n`);
      return;
    }
    const browser = await openBrowser();
    try {
      const loads: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const page = await browser.context.newPage();
        const t0 = performance.now();
        await page.goto(pathToFileURL(out).href);
        await page.waitForFunction(() => ((window as unknown as { splitbrainCharts?: unknown[] }).splitbrainCharts?.length ?? 0) === 3);
        loads.push(performance.now() - t0);
        if (i === 0) {
          // Zoom/pan responsiveness: 20 scale changes, each waited out to the next frame.
          const perStep = await page.evaluate(async () => {
            const charts = (window as unknown as { splitbrainCharts: { setScale: (k: string, r: { min: number; max: number }) => void; scales: Record<string, { min: number; max: number }> }[] }).splitbrainCharts;
            const { min, max } = charts[0].scales.x;
            const t = performance.now();
            for (let k = 0; k < 20; k++) {
              const span = (max - min) / (1 + (k % 10));
              charts[0].setScale('x', { min: min + (k * span) / 40, max: min + (k * span) / 40 + span });
              await new Promise((r) => requestAnimationFrame(() => r(null)));
            }
            return (performance.now() - t) / 20;
          });
          process.stdout.write(`zoom/pan step on 100k ops (all three charts redrawn): ${perStep.toFixed(0)} ms per step\n`);
        }
        await page.close();
      }
      process.stdout.write(`page load to charts drawn (headless Chromium): ${spread(loads)}\n`);
    } finally {
      await browser.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  void run();
}
