// Opens generated report pages in Debian's headless Chromium (playwright-core) and checks what a
// person would see: every report kind on one page passes report-checks (labelled axes, no overlapping
// or cut-off text), no console errors, one Gantt bar per task, a tooltip on hover, zoom narrowing the
// visible range, a memory panel per level, the compare/train/probe/sweep charts; saves screenshots
// (git-ignored) and asserts the large report (16 cores x 100 iterations x 30 tasks) renders in < 2 s.
// Skipped, with the reason printed, where no chromium is installed.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { layoutGantt } from '../../visualizer/layout-gantt.js';
import { renderHtmlReport } from '../../visualizer/html-report.js';
import {
  makeCompareReport,
  makeProbeReport,
  makeSweepReport,
  makeTrainReport,
} from '../fixtures/visualizer-other-reports.js';
import { makeSimReport } from '../fixtures/visualizer-sim-report.js';
import { pageProblems } from './page-problems.js';

const chromiumPath = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
if (chromiumPath === undefined)
  console.log('test/browser/report-page: skipped, no chromium at /usr/bin/chromium (apt-get install -y chromium)');
const screenshots = resolve(import.meta.dirname, 'screenshots');
const launchArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const largeRenderBudgetMs = 2000;

describe.skipIf(chromiumPath === undefined)('report page in Chromium', () => {
  let context: BrowserContext;
  let dir = '';
  const small = {
    sim: makeSimReport({ cores: 4, iterations: 3, tasksPerIteration: 12, overflow: true }),
    compare: makeCompareReport(),
    train: makeTrainReport(),
    probe: makeProbeReport(),
    sweep: makeSweepReport(),
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'alrflow-browser-'));
    // A fresh profile per run: launchPersistentContext passes it as --user-data-dir.
    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: chromiumPath,
      headless: true,
      args: launchArgs,
      viewport: { width: 1400, height: 1000 },
    });
    mkdirSync(screenshots, { recursive: true });
  });
  afterAll(async () => {
    await context?.close();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  /** Opens an HTML string as a file:// page; returns the page, its console errors and the load time. */
  async function open(name: string, html: string): Promise<{ page: Page; errors: string[]; loadMs: number }> {
    const file = join(dir, name);
    writeFileSync(file, html);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    const started = performance.now();
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    return { page, errors, loadMs: performance.now() - started };
  }

  const attr = async (page: Page, selector: string, name: string): Promise<number> =>
    Number(await page.getAttribute(selector, name));

  test('small report: bars, tooltip, zoom and pan, memory levels and the other charts, with no console errors', async () => {
    const { page, errors } = await open('small.html', renderHtmlReport(small));
    expect((await pageProblems(page)).problems).toEqual([]);
    const layout = layoutGantt(small.sim);
    expect(await attr(page, '#gantt', 'data-bars')).toBe(small.sim.timeline.length);
    expect(await attr(page, '#gantt', 'data-drawn-bars')).toBe(small.sim.timeline.length);
    expect(await attr(page, '#gantt', 'data-rows')).toBe(
      new Set(small.sim.units.map((u) => `${u.core}/${u.unit}`)).size,
    );

    const widest = layout.bars.startCycles.reduce(
      (best, s, i) =>
        layout.bars.endCycles[i]! - s > layout.bars.endCycles[best]! - layout.bars.startCycles[best]! ? i : best,
      0,
    );
    const centre = await page.evaluate(
      (i) =>
        (
          globalThis as unknown as { alrflow: { ganttApi: { barCenter: (i: number) => { x: number; y: number } } } }
        ).alrflow.ganttApi.barCenter(i),
      widest,
    );
    await page.mouse.move(centre.x, centre.y);
    await expect.poll(() => page.isVisible('#tooltip')).toBe(true);
    const tip = await page.textContent('#tooltip');
    expect(tip).toContain(layout.strings[layout.bars.op[widest]!]!);
    expect(tip).toContain(`${layout.bars.endCycles[widest]! - layout.bars.startCycles[widest]!} cycles`);

    const before = [
      await attr(page, '#gantt', 'data-visible-start'),
      await attr(page, '#gantt', 'data-visible-end'),
    ] as const;
    expect(before).toEqual([0, small.sim.cycles.total]);
    await page.mouse.wheel(0, -600);
    await expect
      .poll(
        async () =>
          (await attr(page, '#gantt', 'data-visible-end')) - (await attr(page, '#gantt', 'data-visible-start')),
      )
      .toBeLessThan(before[1] - before[0]);
    expect(await attr(page, '#gantt', 'data-visible-start')).toBeGreaterThanOrEqual(0);
    expect(await attr(page, '#gantt', 'data-visible-end')).toBeLessThanOrEqual(small.sim.cycles.total);
    const zoomedStart = await attr(page, '#gantt', 'data-visible-start');
    await page.mouse.down();
    await page.mouse.move(centre.x - 200, centre.y, { steps: 5 });
    await page.mouse.up();
    await expect.poll(() => attr(page, '#gantt', 'data-visible-start')).toBeGreaterThan(zoomedStart);
    // The memory charts follow the Gantt's zoom.
    const ganttEnd = await attr(page, '#gantt', 'data-visible-end');
    await expect.poll(() => attr(page, '.memory-level', 'data-visible-end')).toBe(ganttEnd);

    const levels = await page.$$eval('.memory-level', (els) => els.map((e) => e.getAttribute('data-level')));
    expect(levels.sort()).toEqual([...new Set(small.sim.memoryTimeline.map((m) => m.level))].sort());
    expect(await page.textContent('#memory')).toContain('OVERFLOW reported');
    expect(await page.$$eval('#compare-ratio rect', (els) => els.length)).toBe(small.compare.rows.length);
    expect(await page.$$eval('#sweep-pareto circle', (els) => els.length)).toBe(small.sweep.points.length);
    expect(await page.$$eval('#train .line-panel', (els) => els.length)).toBe(2);
    expect(await page.$$eval('#probe-cosine path.series-line', (els) => els.length)).toBe(small.probe.runs.length);
    expect(await page.$$eval('.error', (els) => els.length)).toBe(0);
    await page.screenshot({ path: join(screenshots, 'report-small.png'), fullPage: true });
    expect(errors).toEqual([]);
  });

  test('a timeline the simulator cut to its first iterations opens on those, with a note', async () => {
    const full = makeSimReport({ cores: 2, iterations: 6, tasksPerIteration: 5 });
    const sim = { ...full, timeline: full.timeline.filter((e) => e.iteration < 2) };
    const { page, errors } = await open('partial.html', renderHtmlReport({ sim }));
    const end = Math.max(...sim.timeline.map((e) => e.end));
    expect(await attr(page, '#gantt', 'data-visible-start')).toBe(0);
    expect(Math.abs((await attr(page, '#gantt', 'data-visible-end')) - end)).toBeLessThanOrEqual(1);
    expect(await page.textContent('#gantt-partial')).toContain('first 2 of 6 iterations');
    expect(errors).toEqual([]);
  });

  test(`large report (16 cores x 100 iterations x 30 tasks) renders in < ${largeRenderBudgetMs} ms and redraws quickly`, async () => {
    const sim = makeSimReport({ cores: 16, iterations: 100, tasksPerIteration: 30 });
    const { page, errors, loadMs } = await open('large.html', renderHtmlReport({ sim }));
    const inPageMs = Number(await page.getAttribute('body', 'data-render-ms'));
    expect(await attr(page, '#gantt', 'data-bars')).toBe(48_000);
    const box = (await page.locator('#gantt canvas').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const span = async (): Promise<number> =>
      (await attr(page, '#gantt', 'data-visible-end')) - (await attr(page, '#gantt', 'data-visible-start'));
    const fullSpan = await span();
    await page.mouse.wheel(0, -400);
    await expect.poll(span).toBeLessThan(fullSpan);
    const redrawMs = await attr(page, '#gantt', 'data-draw-ms');
    console.log(
      `large report: page load to first paint ${loadMs.toFixed(0)} ms (in-page render ${inPageMs} ms), zoom redraw ${redrawMs} ms, ${sim.timeline.length} tasks`,
    );
    await page.screenshot({ path: join(screenshots, 'report-large.png') });
    expect(errors).toEqual([]);
    expect(loadMs).toBeLessThan(largeRenderBudgetMs);
    // "Stays responsive": a zoom step redraws within a few frames.
    expect(redrawMs).toBeLessThan(200);
  });
});
