// The files of simulate, compare and start (--json-file, --report, --trace): checked before the
// simulation starts and written afterwards. Moved out of sim/job.ts, which computes reports and
// writes no files (DESIGN.md layering: the CLI does the writing).
import type { CompareReport } from '../report/compare-report.js';
import type { SimReport } from '../report/sim-report.js';
import { checkOutputs, emitJson, writeOutput } from './output.js';

export interface SimOutputPaths {
  json?: boolean;
  jsonFile?: string;
  report?: string;
  trace?: string;
  force?: boolean;
}

/** Every output of the command checked at once, before any work. */
export function checkSimOutputs(out: SimOutputPaths): void {
  checkOutputs(
    [
      { option: '--json-file', path: out.jsonFile },
      { option: '--report', path: out.report },
      { option: '--trace', path: out.trace },
    ],
    { force: out.force, jsonOnStdout: out.json },
  );
}

/** Writes the requested outputs of a finished report (paths checked by checkSimOutputs). */
export async function writeSimOutputs(report: SimReport | CompareReport, out: SimOutputPaths): Promise<void> {
  emitJson(report, out);
  const { writeHtmlReport } = await import('./html-output.js');
  await writeHtmlReport(out.report, report.kind === 'sim-report' ? { sim: report } : { compare: report });
  if (out.trace !== undefined && report.kind === 'sim-report') {
    const { writeChromeTrace } = await import('../report/trace.js');
    writeOutput(out.trace, JSON.stringify(writeChromeTrace(report)));
  }
}
