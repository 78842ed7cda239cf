// `alrflow report RUN_DIR_OR_JSON --out F.html`: rebuilds the HTML report (and optionally the
// Perfetto trace) from saved report JSON. Never overwrites an existing file without --force.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ConfigError } from '../../errors.js';
import { action } from '../action.js';

export interface ReportOptions {
  out: string;
  trace?: string;
  force?: boolean;
}

function writeOutput(file: string, text: string, force: boolean): void {
  try {
    // 'wx' fails if the file exists, so the check and the write cannot race.
    writeFileSync(file, text, { flag: force ? 'w' : 'wx' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new ConfigError([`${file}: already exists; not overwritten. Hint: pass --force to replace it, or choose another --out.`]);
    throw new ConfigError([`${file}: cannot write (${code ?? String(err)}). Hint: check that the directory exists and is writable.`]);
  }
}

/** Reads, validates and renders; returns the files written. */
export async function runReport(input: string, opts: ReportOptions): Promise<string[]> {
  const { readReports } = await import('../../report/report-file.js');
  const { renderHtmlReport } = await import('../../../visualizer/html-report.js');
  const reports = readReports(input);
  if (opts.trace !== undefined && reports.sim === undefined) {
    throw new ConfigError([`--trace: ${input} holds no sim-report, and a trace needs one. Hint: point at a simulate --json output.`]);
  }
  const written: string[] = [];
  writeOutput(opts.out, renderHtmlReport(reports), opts.force === true);
  written.push(opts.out);
  if (opts.trace !== undefined && reports.sim !== undefined) {
    const { writeChromeTrace } = await import('../../report/trace.js');
    writeOutput(opts.trace, JSON.stringify(writeChromeTrace(reports.sim)), opts.force === true);
    written.push(opts.trace);
  }
  return written;
}

export function register(program: Command): void {
  program
    .command('report')
    .description('rebuild the HTML report from saved report JSON (a file, or a run directory of them)')
    .argument('<input>', 'a report JSON file (sim, compare, train, probe or sweep) or a directory of them')
    .requiredOption('--out <file>', 'the HTML file to write')
    .option('--trace <file>', 'also write the Chrome/Perfetto trace of the sim report')
    .option('--force', 'overwrite existing output files')
    .action(
      action(async (input: string, opts: ReportOptions) => {
        const written = await runReport(input, opts);
        process.stdout.write(`wrote ${written.join(', ')}\n`);
      }),
    );
}
