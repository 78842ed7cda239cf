// `alrflow scalesim --config F.cfg --topology F.csv [--gemm] --out DIR`: SCALE-Sim inputs in,
// SCALE-Sim's COMPUTE_REPORT.csv out (same columns and number format), so a SCALE-Sim user can switch.
import type { Command } from 'commander';
import { action } from '../action.js';

interface ScaleSimOpts {
  config: string;
  topology: string;
  gemm?: boolean;
  out: string;
  force?: boolean;
  quiet?: boolean;
  json?: boolean;
}

async function runScaleSim(opts: ScaleSimOpts): Promise<void> {
  const { join } = await import('node:path');
  const { checkOutputs, emitJson, say, stdoutTaken, writeOutput } = await import('../output.js');
  const toStdout = opts.out === '-';
  const target = toStdout ? '-' : join(opts.out, 'COMPUTE_REPORT.csv');
  checkOutputs(
    toStdout
      ? [{ option: '--out', path: '-' }]
      : [
          { option: '--out', path: opts.out, kind: 'folder' },
          { option: '--out', path: target },
        ],
    { force: opts.force, jsonOnStdout: opts.json },
  );
  const { loadScaleSimConfig } = await import('../../hw/scalesim-cfg.js');
  const { loadScaleSimTopology } = await import('../../models/importers/scalesim-topology.js');
  const { simulateScaleSimLayer, computeReportCsv } = await import('../../../sim/scalesim.js');
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
  const lines = results.map(
    (r) =>
      `${String(r.layerId).padStart(3)} ${r.name.padEnd(16)} ${String(r.totalCycles).padStart(10)} cycles  ${String(r.stallCycles).padStart(8)} stall  util ${r.overallUtilPercent.toFixed(2)}%\n`,
  );
  say(lines.join(''), stdoutTaken(opts.json, [target]));
  writeOutput(target, computeReportCsv(results));
  emitJson({ kind: 'scalesim-results', computeReport: toStdout ? null : target, layers: results }, { json: opts.json });
}

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
    .option('--json', 'print the per-layer results as JSON on stdout (the table goes to stderr)')
    .action(action(runScaleSim));
}
