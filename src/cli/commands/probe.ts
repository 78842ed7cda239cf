// `alrflow probe`: per-layer cosine similarity of LR/ALR/ES/AES gradients to the BP gradient and
// their norm ratio, on one real batch; a table, or the ProbeReport JSON with --json.
import type { Command } from 'commander';
import { methodNames, methodsWith, probeDefaultMethods } from '../../compiler/methods/registry.js';
import { action, oneOf, positiveInt, positiveNumber, strictInt } from '../action.js';
import { modelChoices } from '../model-option.js';
import { addJsonOptions, checkOutputs, jsonOrTable } from '../output.js';

type ProbeReport = import('../../report/probe-report.js').ProbeReport & { backend: string };

/** A norm ratio in at most 4 significant digits, in exponent form outside [0.01, 10000). */
function ratioText(x: number): string {
  return x !== 0 && (Math.abs(x) < 0.01 || Math.abs(x) >= 1e4) ? x.toExponential(2) : x.toFixed(2);
}

export function probeTable(report: ProbeReport, flags: ProbeFlags): string {
  const layers = report.runs[0]?.layers.map((l) => l.layer) ?? [];
  const rows = [
    ['method', 'K', ...layers],
    ...report.runs.map((run) => [
      run.method,
      String(run.copies),
      ...run.layers.map((l) => `${l.cosineToBp.toFixed(3)} / ${ratioText(l.normRatio)}`),
    ]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  const title = `probe: ${report.model} on ${flags.dataset}, batch ${flags.batch}, backend ${report.backend}; cells: cosine to BP / norm ratio\n`;
  return title + rows.map((r) => `${line(r)}\n`).join('');
}

export interface ProbeFlags {
  model: string;
  dataset: string;
  dataDir?: string;
  method: string;
  copies: string;
  batch: string;
  backend: string;
  seed: string;
  sigma: string;
  baseline: string;
  layerwise?: boolean;
  bpLayers?: string;
  hidden: string;
  json?: boolean;
  jsonFile?: string;
  report?: string;
  force?: boolean;
}

export function register(program: Command): void {
  const command = program
    .command('probe')
    .description('per-layer cosine similarity to the BP gradient and norm ratio of an estimator, on a real batch')
    .requiredOption('--model <name|file>', `${modelChoices()} (from its initializers); --hidden sets the MLP widths`)
    .requiredOption('--dataset <name>', 'mnist | fashion-mnist | cifar10 | cifar100 | iris | synthetic')
    .option('--data-dir <dir>', 'CIFAR: the folder of the official binary files (or its parent)')
    .option('--method <list>', `comma-separated methods: ${methodNames.join(',')}`, probeDefaultMethods.join(','))
    .option('--copies <list>', 'comma-separated copy counts K', '64')
    .option('--batch <N>', 'samples in the probe batch', '64')
    .option('--backend <b>', 'kernel backend', 'auto')
    .option('--seed <s>', 'seed (initial parameters, batch, noise)', '1')
    .option('--sigma <s>', 'noise standard deviation', '0.1')
    .option('--baseline <b>', 'none | mean | leave-one-out', 'mean')
    .option('--layerwise', 'layer-wise noise injection')
    .option(
      '--bp-layers <layers>',
      `${methodsWith('bpLayers').join(', ')}: the layers trained by BP, last:N or layer names, comma separated (default: the last parametrised layer)`,
    )
    .option('--hidden <widths>', 'MLP hidden widths, comma separated', '256')
    .option('--report <file.html>', 'write the HTML report (cosine per layer; - for stdout)')
    .option('--force', 'overwrite an existing --report or --json-file');
  addJsonOptions(command, 'the ProbeReport').action(
    action(async (flags: ProbeFlags) => {
      const { probe } = await import('../../train/probe.js');
      const { writeHtmlReport } = await import('../html-output.js');
      checkOutputs(
        [
          { option: '--json-file', path: flags.jsonFile },
          { option: '--report', path: flags.report },
        ],
        { force: flags.force, jsonOnStdout: flags.json },
      );
      const report = await probe({
        model: flags.model,
        dataset: flags.dataset,
        ...(flags.dataDir === undefined ? {} : { dataDir: flags.dataDir }),
        methods: flags.method.split(',').map((m) => oneOf('--method', m, methodNames)),
        copies: flags.copies.split(',').map((k) => positiveInt('--copies', k)),
        batch: positiveInt('--batch', flags.batch),
        backend: flags.backend,
        seed: strictInt('--seed', flags.seed, 0),
        sigma: positiveNumber('--sigma', flags.sigma),
        baseline: oneOf('--baseline', flags.baseline, ['none', 'mean', 'leave-one-out'] as const),
        layerwise: Boolean(flags.layerwise),
        ...(flags.bpLayers === undefined ? {} : { bpLayers: flags.bpLayers }),
        hidden: flags.hidden.split(',').map((w) => positiveInt('--hidden', w)),
      });
      await writeHtmlReport(flags.report, { probe: report });
      jsonOrTable(report, flags, () => (flags.report === '-' ? '' : probeTable(report, flags)));
    }),
  );
}
