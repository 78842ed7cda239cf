// --report FILE.html for the commands that do not go through sim/job.ts (train, probe): checks the
// path before the work starts, so a long run never ends on a refused file, and renders afterwards.
import type { ReportSet } from '../report/report-file.js';

export async function checkHtmlPath(path: string | undefined, force: boolean): Promise<void> {
  if (path === undefined) return;
  const { assertWritable } = await import('../report/sim-report-io.js');
  assertWritable(path, { force, option: '--report' });
}

export async function writeHtmlReport(path: string | undefined, reports: ReportSet): Promise<void> {
  if (path === undefined) return;
  const { writeFileSync } = await import('node:fs');
  const { renderHtmlReport } = await import('../../visualizer/html-report.js');
  writeFileSync(path, renderHtmlReport(reports));
  process.stdout.write(`wrote ${path}\n`);
}
