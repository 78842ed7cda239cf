// The visualizer on a real simulated report (CNN, ALR, layer-pipelined on multicore-16, 100
// iterations; compiled and simulated by src/compiler and sim/): the report passes report-file's
// schema, the layouts keep one bar per task and memory under capacity unless flagged, the trace
// follows the Trace Event Format, and the page renders in Chromium without console errors.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { runSimJob } from '../../sim/job.js';
import { parseReport } from '../../src/report/report-file.js';
import type { SimReport } from '../../src/report/sim-report.js';
import { writeChromeTrace } from '../../src/report/trace.js';
import { renderHtmlReport } from '../../visualizer/html-report.js';
import { layoutGantt } from '../../visualizer/layout-gantt.js';
import { layoutMemory } from '../../visualizer/layout-memory.js';
import { traceProblems } from '../fixtures/visualizer-trace-check.js';

const chromiumPath = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const screenshots = resolve(import.meta.dirname, 'screenshots');

describe('a real simulated report', () => {
  let report: SimReport;
  beforeAll(async () => {
    report = await runSimJob({
      model: 'cnn',
      method: 'alr',
      copies: 8,
      batch: 8,
      schedule: 'layer-pipelined',
      hw: 'multicore-16',
      iterations: 100,
      microBatches: 4,
      staleness: 0,
      noiseStorage: 'sign-bits',
    });
  });

  test('passes the saved-report schema after a JSON round trip', () => {
    expect(parseReport(JSON.stringify(report), 'real.json')).toEqual(JSON.parse(JSON.stringify(report)));
  });

  test('layouts: one bar per task on an axis spanning the total cycles; memory above capacity only where flagged', () => {
    const g = layoutGantt(report);
    expect(g.bars.row).toHaveLength(report.timeline.length);
    expect(g.totalCycles).toBe(Math.max(report.cycles.total, ...report.timeline.map((e) => e.end)));
    for (const inst of layoutMemory(report).levels.flatMap((l) => l.instances))
      expect(!inst.exceedsCapacity || inst.overflowReported).toBe(true);
  });

  test('its trace follows the Trace Event Format', () => {
    expect(traceProblems(writeChromeTrace(report))).toEqual([]);
  });

  test.skipIf(chromiumPath === undefined)(
    'its page renders in Chromium with every bar and level and no console errors',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'alrflow-real-'));
      const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
        executablePath: chromiumPath,
        headless: true,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
        ],
        viewport: { width: 1400, height: 1000 },
      });
      try {
        writeFileSync(join(dir, 'real.html'), renderHtmlReport({ sim: report }));
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('console', (m) => {
          if (m.type() === 'error') errors.push(m.text());
        });
        page.on('pageerror', (e) => errors.push(e.message));
        await page.goto(pathToFileURL(join(dir, 'real.html')).href);
        await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
        expect(Number(await page.getAttribute('#gantt', 'data-bars'))).toBe(report.timeline.length);
        const levels = await page.$$eval('.memory-level', (els) => els.map((e) => e.getAttribute('data-level')));
        expect(levels.sort()).toEqual([...new Set(report.memoryTimeline.map((m) => m.level))].sort());
        mkdirSync(screenshots, { recursive: true });
        await page.screenshot({ path: join(screenshots, 'report-real.png'), fullPage: true });
        expect(errors).toEqual([]);
      } finally {
        await context.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
