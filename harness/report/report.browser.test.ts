// The report in a real browser: Debian's Chromium, driven by playwright-core,
// opens reports written from committed histories and checks what a person
// would look at. Skips, saying why, when there is no Chromium.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult, HistoryEvent } from '../../checkers/types.ts';
import { chromiumMissingReason, openBrowser } from './browser.ts';
import { inspect } from './cli.ts';
import { writeReport } from './index.ts';
import { bigHistory } from './fixtures.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const outDir = join(root, 'test-output');
const KNOWN_BAD = join(root, 'histories/examples/bad-failover-split-brain.jsonl');

const missing = chromiumMissingReason();
if (missing !== null) {
  console.warn(`\n*** report browser test SKIPPED: ${missing} ***\n`);
}

const okResult = (ops: number): CheckResult => ({ valid: true, ops, keys: ops > 0 ? 1 : 0, elapsedMs: 0, verdictMs: 0, failures: [], perKey: [] });

describe.skipIf(missing !== null)(`report in Chromium${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let browser: { context: BrowserContext; close: () => Promise<void> };

  beforeAll(async () => {
    mkdirSync(outDir, { recursive: true });
    browser = await openBrowser({ width: 1360, height: 1000 });
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function open(path: string): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    // Any request other than the file itself would be a dependency on the network.
    page.on('request', (r) => {
      if (!r.url().startsWith('file://') && !r.url().startsWith('data:')) errors.push(`network request: ${r.url()}`);
    });
    await page.goto(pathToFileURL(path).href);
    return { page, errors };
  }

  it('explains the failover split-brain: failing key, stuck op, counterexample, state on hover', async () => {
    const { reportPath, result } = await inspect(KNOWN_BAD, { out: join(outDir, 'failover-stale-read.report.html') });
    expect(result.valid).toBe(false);
    const { page, errors } = await open(reportPath);

    await expect.poll(() => page.locator('#verdict').textContent()).toBe('NOT linearizable');
    const failing = page.locator('section.failure');
    expect(await failing.count()).toBe(result.failures.length);
    expect(await failing.locator('.failing-key').first().textContent()).toBe(result.failures[0].key);

    // The op that cannot be placed is marked, in the linearization view and in the counterexample.
    const stuck = page.locator('[id$="-lin-stuck"]');
    expect(await stuck.count()).toBe(1);
    expect(await stuck.getAttribute('data-process')).toBe(String(result.failures[0].stuck.process));
    expect(await stuck.textContent()).toContain('✗ read → 2');
    expect(await page.locator('[id$="-min-stuck"]').count()).toBe(1);
    const minimalOps = page.locator('[id$="-min-stuck"]').locator('xpath=ancestor::*[local-name()="svg"]').locator('g.op');
    expect(await minimalOps.count()).toBe(result.failures[0].minimal.length);
    expect(await page.locator('section.failure .words').textContent()).toContain(result.failures[0].explanation);

    // Hovering a linearized step shows the register state before and after it.
    const lastStep = result.failures[0].longestPrefix.length;
    await page.locator(`[id$="-lin-step-${lastStep}"]`).hover();
    const tip = page.locator('#tip');
    await expect.poll(() => tip.isVisible()).toBe(true);
    const text = await tip.textContent();
    expect(text).toContain(`step ${lastStep} of ${lastStep}`);
    expect(text).toContain('state before: 2  →  after: 4');

    // The jump link brings the stuck op into view.
    await page.mouse.move(0, 0);
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await page.locator('a.jump').first().click();
    await expect.poll(async () => stuck.evaluate((el) => {
      const r = el.getBoundingClientRect();
      return r.top >= 0 && r.bottom <= window.innerHeight;
    })).toBe(true);

    // The timeline is drawn, and hovering the bad op there names it.
    await page.evaluate(() => window.scrollTo(0, 0));
    const charts = await page.evaluate(() => (window as unknown as { splitbrainCharts: unknown[] }).splitbrainCharts.length);
    expect(charts).toBe(3);
    const timeline = page.locator('#timeline .u-over');
    await timeline.scrollIntoViewIfNeeded();
    const box = await timeline.boundingBox();
    const pos = await page.evaluate(() => {
      const u = (window as unknown as { splitbrainCharts: { valToPos: (v: number, s: string) => number }[] }).splitbrainCharts[0];
      return u.valToPos(44.5, 'x');
    });
    expect(box).not.toBeNull();
    // p2 is the third lane of three.
    await page.mouse.move((box?.x ?? 0) + pos, (box?.y ?? 0) + ((box?.height ?? 0) * 5) / 6);
    await expect.poll(() => tip.textContent()).toContain('breaks linearizability');

    // "show this window on the timeline" zooms all charts to the failing window.
    await page.locator('button.show-on-timeline').first().click();
    const range = await page.evaluate(() =>
      (window as unknown as { splitbrainCharts: { scales: Record<string, { min: number; max: number }> }[] }).splitbrainCharts.map((c) => [c.scales.x.min, c.scales.x.max]),
    );
    for (const [min, max] of range) {
      // the drawn window runs from step 1 (write 1 at 1 ms) to the stale read (done at 45.1 ms)
      expect(max - min).toBeLessThan(68);
      expect(min).toBeLessThanOrEqual(1);
      expect(max).toBeGreaterThan(45.1);
    }
    await page.locator('#timeline-section').screenshot({ path: join(outDir, 'failover-stale-read-timeline-zoomed.png') });
    await page.locator('button[data-zoom="reset"]').click();

    await page.locator('#failures').scrollIntoViewIfNeeded();
    await page.locator(`[id$="-lin-step-${lastStep}"]`).hover();
    await page.screenshot({ path: join(outDir, 'failover-stale-read.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('renders odd histories without a script error: empty, first op failing, only info ops, an unhealed fault', async () => {
    const cases: [string, HistoryEvent[]][] = [
      ['empty', []],
      [
        'first-op-fails',
        [
          { index: 0, time: 0, process: 0, type: 'invoke', f: 'write', key: 'x', value: 1 },
          { index: 1, time: 5e6, process: 0, type: 'fail', f: 'write', key: 'x', value: 1 },
        ] as HistoryEvent[],
      ],
      [
        'only-info',
        [
          { index: 0, time: 0, process: 'nemesis', type: 'info', f: 'start-partition', value: 'n1' },
          { index: 1, time: 1e6, process: 0, type: 'invoke', f: 'read', value: null },
          { index: 2, time: 9e6, process: 0, type: 'info', f: 'read', value: null, error: 'timeout' },
          { index: 3, time: 9e6, process: 1, type: 'invoke', f: 'write', value: 2 },
        ] as HistoryEvent[],
      ],
    ];
    for (const [name, history] of cases) {
      const path = await writeReport({ history, result: okResult(history.length), outPath: join(outDir, `odd-${name}.html`) });
      const { page, errors } = await open(path);
      await expect.poll(() => page.locator('#verdict').textContent()).toBe('linearizable');
      expect(errors, name).toEqual([]);
      expect(await page.locator('#timeline').textContent(), name).not.toContain('Could not draw');
      expect(await page.locator('#latency').textContent(), name).not.toContain('Could not draw');
      await page.close();
    }
  });

  it('opens a 100,000-operation report and draws it', async () => {
    const history = bigHistory(100_000, 10);
    const path = await writeReport({ history, result: okResult(100_000), meta: { system: 'synthetic', nemeses: ['partition'] }, outPath: join(outDir, 'big-100k.html') });
    const t0 = Date.now();
    const { page, errors } = await open(path);
    await expect.poll(() => page.evaluate(() => (window as unknown as { splitbrainCharts?: unknown[] }).splitbrainCharts?.length ?? 0), { timeout: 20_000 }).toBe(3);
    const loadMs = Date.now() - t0;
    // Zooming redraws from the lane index; a few steps must not error.
    const span = (): Promise<number> =>
      page.evaluate(() => {
        const x = (window as unknown as { splitbrainCharts: { scales: Record<string, { min: number; max: number }> }[] }).splitbrainCharts[0].scales.x;
        return x.max - x.min;
      });
    const full = await span();
    const over = page.locator('#timeline .u-over');
    await over.scrollIntoViewIfNeeded();
    const box = await over.boundingBox();
    await page.mouse.move((box?.x ?? 0) + (box?.width ?? 0) / 2, (box?.y ?? 0) + 20);
    await page.mouse.wheel(0, -400);
    await expect.poll(span).toBeLessThan(full);
    for (const z of ['in', 'in', 'right', 'reset']) await page.locator(`button[data-zoom="${z}"]`).click();
    expect(await span()).toBeCloseTo(full, 6);
    await page.locator('#timeline-section').screenshot({ path: join(outDir, 'big-100k-timeline.png') });
    expect(errors).toEqual([]);
    console.log(`100k-op report: ${(await page.evaluate(() => document.documentElement.outerHTML.length)) / 1e6} MB of DOM text, charts ready in ${loadMs} ms`);
    await page.close();
  });
});
