// The HTML page as text, parsed with linkedom (no browser): self-contained (no external scripts,
// styles or images), carries exactly the layouts buildPageData computes, and a report string cannot
// close the data <script> and inject markup. The browser test (test/browser) checks what it draws.
import { parseHTML } from 'linkedom';
import { describe, expect, test } from 'vitest';
import { buildPageData } from '../../visualizer/page-data.js';
import { renderHtmlReport } from '../../visualizer/html-report.js';
import {
  makeCompareReport,
  makeProbeReport,
  makeSweepReport,
  makeTrainReport,
} from '../fixtures/visualizer-other-reports.js';
import { makeSimReport } from '../fixtures/visualizer-sim-report.js';

const reports = {
  sim: makeSimReport({ cores: 2, iterations: 2, tasksPerIteration: 5 }),
  compare: makeCompareReport(),
  train: makeTrainReport(),
  probe: makeProbeReport(),
  sweep: makeSweepReport(),
};

describe('renderHtmlReport', () => {
  test('opens offline: no external script, stylesheet, image or frame, and d3 is inlined', () => {
    const { document } = parseHTML(renderHtmlReport(reports));
    const scripts = [...document.querySelectorAll('script')];
    expect(scripts.map((s) => s.getAttribute('src'))).toEqual([null, null, null]);
    expect(document.querySelectorAll('link, img, iframe').length).toBe(0);
    expect(scripts[1]!.textContent).toContain('d3js.org');
  });

  test('embeds exactly the page data computed from the reports', () => {
    const { document } = parseHTML(renderHtmlReport(reports));
    const embedded: unknown = JSON.parse(document.getElementById('alrflow-data')!.textContent!);
    expect(embedded).toEqual(JSON.parse(JSON.stringify(buildPageData(reports))));
  });

  test('only the sections of the reports given are present in the data', () => {
    const { document } = parseHTML(renderHtmlReport({ train: reports.train }));
    const data = JSON.parse(document.getElementById('alrflow-data')!.textContent!) as Record<string, unknown>;
    expect(Object.keys(data).sort()).toEqual(['tensorClasses', 'title', 'train']);
  });

  test('a report string with </script> stays data and cannot inject markup', () => {
    const hostile = '</script><script>window.injected = 1</script><!--';
    const sim = { ...reports.sim, input: { ...reports.sim.input, model: hostile } };
    const { document } = parseHTML(renderHtmlReport({ sim }));
    expect(document.querySelectorAll('script').length).toBe(3);
    const data = JSON.parse(document.getElementById('alrflow-data')!.textContent!) as { title: string };
    expect(data.title).toContain(hostile);
    expect(document.querySelector('h1')!.textContent).toContain(hostile);
  });
});
