// --report FILE.html for every command that takes it: the path is checked with the other outputs
// before the work starts (output.ts); the page is rendered and written afterwards.
import type { ReportSet } from '../report/report-file.js';
import { writeOutput } from './output.js';

export async function writeHtmlReport(path: string | undefined, reports: ReportSet): Promise<void> {
  if (path === undefined) return;
  const { renderHtmlReport } = await import('../../visualizer/html-report.js');
  writeOutput(path, renderHtmlReport(reports));
}
