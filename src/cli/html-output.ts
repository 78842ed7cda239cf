// --report FILE.html for the commands that do not go through sim-outputs.ts (train, probe): the
// path is checked with the other outputs before the work starts (output.ts), rendered afterwards.
import type { ReportSet } from '../report/report-file.js';
import { writeOutput } from './output.js';

export async function writeHtmlReport(path: string | undefined, reports: ReportSet): Promise<void> {
  if (path === undefined) return;
  const { renderHtmlReport } = await import('../../visualizer/html-report.js');
  writeOutput(path, renderHtmlReport(reports));
}
