// `alrflow scalesim --config F.cfg --topology F.csv [--gemm] --out DIR`: SCALE-Sim inputs in,
// SCALE-Sim's COMPUTE_REPORT.csv out (same columns and number format), so a SCALE-Sim user can switch.
// `--topology FILE.onnx` takes the Conv, Gemm and MatMul nodes of an ONNX file as the padded topology
// CSV SCALE-Sim would read (`--print-topology` prints that CSV and does nothing else).
import type { Command } from 'commander';
import { ConfigError } from '../../errors.js';
import type { ScaleSimLayer } from '../../models/importers/scalesim-topology.js';
import { action } from '../action.js';

interface ScaleSimOpts {
  config?: string;
  topology: string;
  gemm?: boolean;
  printTopology?: boolean;
  out?: string;
  force?: boolean;
  quiet?: boolean;
  json?: boolean;
}

const isOnnx = (path: string): boolean => path.toLowerCase().endsWith('.onnx');

/** The topology's layers; an ONNX file goes through the padded topology CSV SCALE-Sim would read. */
async function topologyLayers(opts: ScaleSimOpts): Promise<ScaleSimLayer[]> {
  const { loadScaleSimTopology, parseScaleSimTopology } = await import('../../models/importers/scalesim-topology.js');
  if (!isOnnx(opts.topology)) return loadScaleSimTopology(opts.topology, opts.gemm ?? false);
  if (opts.gemm)
    throw new ConfigError([`--gemm: an ONNX topology holds its own GEMM shapes; allowed: --gemm with a CSV only`]);
  const csv = await onnxTopologyCsv(opts.topology);
  return parseScaleSimTopology(csv, false, opts.topology);
}

async function onnxTopologyCsv(file: string): Promise<string> {
  const { importOnnxFile } = await import('../../models/importers/onnx-graph.js');
  const { onnxScaleSimLayers, scaleSimTopologyCsv } = await import('../../models/importers/onnx-scalesim.js');
  return scaleSimTopologyCsv(onnxScaleSimLayers(importOnnxFile(file)));
}

async function printTopology(opts: ScaleSimOpts): Promise<void> {
  if (!isOnnx(opts.topology))
    throw new ConfigError([`--print-topology: ${opts.topology} is already a topology; allowed: an .onnx --topology`]);
  const extra = (['config', 'out', 'json'] as const).filter((k) => opts[k] !== undefined);
  if (extra.length > 0)
    throw new ConfigError([
      `--print-topology prints the CSV and runs nothing; found ${extra.map((k) => `--${k}`).join(', ')}; allowed: --topology only`,
    ]);
  process.stdout.write(await onnxTopologyCsv(opts.topology));
}

async function runScaleSim(opts: ScaleSimOpts): Promise<void> {
  if (opts.printTopology) return printTopology(opts);
  if (opts.config === undefined || opts.out === undefined)
    throw new ConfigError([
      `scalesim: ${opts.config === undefined ? '--config' : '--out'} is required (unless --print-topology)`,
    ]);
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
  const { simulateScaleSimLayer, computeReportCsv } = await import('../../../sim/scalesim.js');
  const cfg = loadScaleSimConfig(opts.config);
  const layers = await topologyLayers(opts);
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
    .option('--config <file>', 'SCALE-Sim .cfg file (required unless --print-topology)')
    .requiredOption(
      '--topology <file>',
      'SCALE-Sim topology .csv file, or an .onnx file (its Conv, Gemm and MatMul nodes)',
    )
    .option('--gemm', 'the topology holds GEMM rows (Layer, M, N, K), like SCALE-Sim -i gemm')
    .option('--print-topology', 'print the padded SCALE-Sim topology CSV of an .onnx --topology on stdout; run nothing')
    .option(
      '--out <dir>',
      'output folder (- prints the COMPUTE_REPORT.csv on stdout; required unless --print-topology)',
    )
    .option('--force', 'overwrite an existing COMPUTE_REPORT.csv')
    .option('--quiet', 'no progress on stderr')
    .option('--json', 'print the per-layer results as JSON on stdout (the table goes to stderr)')
    .action(action(runScaleSim));
}
