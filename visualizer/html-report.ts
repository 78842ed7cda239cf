// renderHtmlReport: one self-contained HTML page (d3 and the client script inlined, no network) that
// draws the given reports. Layout happens here in Node (page-data.ts); the page only draws. It does
// not write files: callers (simulate/compare/train/probe --report, `alrflow report`) do.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReportSet } from '../src/report/report-file.js';
import { buildPageData } from './page-data.js';

/**
 * The client scripts live in visualizer/client. From the sources that is beside this file; from the
 * built command (dist/) it is found by walking up to the folder that holds visualizer/client.
 */
function clientDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    for (const candidate of [join(dir, 'client'), join(dir, 'visualizer', 'client')])
      if (existsSync(join(candidate, 'main.js'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error(`internal: visualizer/client not found above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}
const asset = (relative: string): string => readFileSync(join(clientDir(), relative), 'utf8');
const clientParts = ['axes.js', 'charts.js', 'gantt.js', 'main.js'];

/** JSON or script text made safe inside a <script> element (no `</script>` or `<!--` can close it). */
function scriptSafe(text: string): string {
  return text.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}
const jsonSafe = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');
const escapeHtml = (s: string): string =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

const style = `
body { font: 13px/1.4 system-ui, sans-serif; margin: 16px 20px; color: #222; }
h1 { font-size: 18px; } h2 { font-size: 15px; margin-top: 28px; border-bottom: 1px solid #ddd; } h3 { font-size: 13px; margin: 8px 0 4px; }
.grid { display: flex; flex-wrap: wrap; gap: 16px; }
.legend { margin: 4px 0; } .legend-item { margin-right: 12px; white-space: nowrap; }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 4px; vertical-align: middle; }
.tooltip { position: absolute; pointer-events: none; background: #fffbe6; border: 1px solid #aaa; padding: 4px 6px; white-space: pre; font-size: 12px; z-index: 10; }
.capacity { stroke: #c00; stroke-dasharray: 5 3; stroke-width: 1.5; } .reference { stroke: #555; stroke-dasharray: 3 3; }
.note { color: #555; margin: 2px 0; } .overflow, .error { color: #b00; font-weight: 600; }
.front { fill: none; stroke: #e15759; stroke-width: 1.5; } circle.pareto { fill: #e15759; } circle.dominated { fill: #9aa5b1; }
table { border-collapse: collapse; } td, th { border: 1px solid #ddd; padding: 2px 8px; text-align: left; }
.gantt-stage text { font-size: 11px; } canvas { cursor: grab; }
.axis-label { font-size: 12px; fill: #333; } .reference-label { fill: #555; } .bar-value { fill: #222; }
`;

/** The page for any subset of reports; throws only on a programming error (inputs are validated types). */
export function renderHtmlReport(reports: ReportSet): string {
  const data = buildPageData(reports);
  const d3Source = asset('../../node_modules/d3/dist/d3.min.js');
  const client = clientParts.map(asset).join('\n');
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(data.title)}</title>`,
    `<style>${style}</style>`,
    '</head><body>',
    `<h1>${escapeHtml(data.title)}</h1>`,
    '<main id="alrflow-main"></main>',
    `<script id="alrflow-data" type="application/json">${jsonSafe(data)}</script>`,
    `<script>${scriptSafe(d3Source)}</script>`,
    `<script>${scriptSafe(client)}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}
