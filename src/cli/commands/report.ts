// `alrflow report RUN_DIR_OR_JSON --out F.html`: rebuilds the HTML report (and optionally the
// Perfetto trace) from saved report JSON. Never overwrites an existing file without --force; `-` is stdout.
import type { Command } from 'commander';
import { ConfigError } from '../../errors.js';
import { action } from '../action.js';
import { checkOutputs, emitJson, writeOutput } from '../output.js';

export interface ReportOptions {
  out: string;
  trace?: string;
  force?: boolean;
  json?: boolean;
}

/** Reads, validates and renders; returns the files written. */
export async function runReport(input: string, opts: ReportOptions): Promise<string[]> {
  const { readReports } = await import('../../report/report-file.js');
  const { renderHtmlReport } = await import('../../../visualizer/html-report.js');
  checkOutputs(
    [
      { option: '--out', path: opts.out },
      { option: '--trace', path: opts.trace },
    ],
    { force: opts.force, jsonOnStdout: opts.json },
  );
  const reports = readReports(input);
  if (opts.trace !== undefined && reports.sim === undefined) {
    throw new ConfigError([
      `--trace: ${input} holds no sim-report, and a trace needs one. Hint: point at a simulate --json output.`,
    ]);
  }
  const written: string[] = [];
  writeOutput(opts.out, renderHtmlReport(reports));
  written.push(opts.out);
  if (opts.trace !== undefined && reports.sim !== undefined) {
    const { writeChromeTrace } = await import('../../report/trace.js');
    writeOutput(opts.trace, JSON.stringify(writeChromeTrace(reports.sim)));
    written.push(opts.trace);
  }
  return written;
}

export function register(program: Command): void {
  program
    .command('report')
    .description('rebuild the HTML report from saved report JSON (a file, or a run directory of them)')
    .argument('<input>', 'a report JSON file (sim, compare, train, probe or sweep) or a directory of them')
    .requiredOption('--out <file>', 'the HTML file to write (- for stdout)')
    .option('--trace <file>', 'also write the Chrome/Perfetto trace of the sim report (- for stdout)')
    .option('--force', 'overwrite existing output files')
    .option('--json', 'print the files written as JSON on stdout')
    .action(
      action(async (input: string, opts: ReportOptions) => {
        const written = await runReport(input, opts);
        emitJson({ kind: 'report-files', input, written }, opts);
      }),
    );
}
