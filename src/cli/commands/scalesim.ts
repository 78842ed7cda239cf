// `alrflow scalesim --config F.cfg --topology F.csv [--gemm] --out DIR`: SCALE-Sim inputs in,
// SCALE-Sim's COMPUTE_REPORT.csv out (same columns and number format), so a SCALE-Sim user can switch.
import type { Command } from 'commander';
import { action } from '../action.js';

export function register(program: Command): void {
  program
    .command('scalesim')
    .description('simulate a SCALE-Sim config and topology; writes DIR/COMPUTE_REPORT.csv in SCALE-Sim format')
    .requiredOption('--config <file>', 'SCALE-Sim .cfg file')
    .requiredOption('--topology <file>', 'SCALE-Sim topology .csv file')
    .option('--gemm', 'the topology holds GEMM rows (Layer, M, N, K), like SCALE-Sim -i gemm')
    .requiredOption('--out <dir>', 'output folder (- prints the COMPUTE_REPORT.csv on stdout)')
    .option('--force', 'overwrite an existing COMPUTE_REPORT.csv')
    .option('--quiet', 'no progress on stderr')
    .action(
      action(async (opts: { config: string; topology: string; gemm?: boolean; out: string; force?: boolean; quiet?: boolean }) => {
        const { existsSync, mkdirSync, statSync } = await import('node:fs');
        const { join } = await import('node:path');
        const { ConfigError } = await import('../../errors.js');
        const { loadScaleSimConfig } = await import('../../hw/scalesim-cfg.js');
        const { loadScaleSimTopology } = await import('../../models/importers/scalesim-topology.js');
        const { simulateScaleSimLayer, computeReportCsv } = await import('../../../sim/scalesim.js');
        const toStdout = opts.out === '-';
        const target = toStdout ? '-' : join(opts.out, 'COMPUTE_REPORT.csv');
        if (!toStdout && existsSync(target) && !opts.force) {
          throw new ConfigError([`--out: ${target} already exists; allowed: a folder without a COMPUTE_REPORT.csv; hint: pass --force to overwrite it`]);
        }
        if (!toStdout && existsSync(opts.out) && !statSync(opts.out).isDirectory()) throw new ConfigError([`--out: ${opts.out} is a file; allowed: a folder (created if missing) or - for stdout`]);
        const cfg = loadScaleSimConfig(opts.config);
        const layers = loadScaleSimTopology(opts.topology, opts.gemm ?? false);
        const { createProgress } = await import('../progress.js');
        const progress = await createProgress('scalesim', { quiet: opts.quiet });
        const results = layers.map((layer, i) => {
          const result = simulateScaleSimLayer(cfg, layer, i);
          progress.update((i + 1) / layers.length);
          return result;
        });
        progress.stop();
        if (!toStdout) mkdirSync(opts.out, { recursive: true });
        const { say, writeOutput } = await import('../output.js');
        const lines = results.map((r) => `${String(r.layerId).padStart(3)} ${r.name.padEnd(16)} ${String(r.totalCycles).padStart(10)} cycles  ${String(r.stallCycles).padStart(8)} stall  util ${r.overallUtilPercent.toFixed(2)}%\n`);
        say(lines.join(''), toStdout);
        writeOutput(target, computeReportCsv(results));
      }),
    );
}
