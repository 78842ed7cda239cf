// `alrflow hw list | show NAME|FILE | check FILE | calibrate`: the shipped hardware models, one model in
// words (or as parsed JSON), a validator that reports every problem in a file at once (exit 2), and
// a model of this machine measured through a kernel backend (src/train/calibrate).
import type { Command } from 'commander';
import { ConfigError } from '../../errors.js';
import { action } from '../action.js';
import { addJsonOptions, checkJsonFlags, type JsonFlags, jsonOrTable } from '../output.js';

function pad(cells: string[], widths: number[]): string {
  return cells
    .map((c, i) => c.padEnd(widths[i] ?? 0))
    .join('  ')
    .trimEnd();
}

async function listModels(opts: JsonFlags): Promise<void> {
  checkJsonFlags(opts);
  const { listHwModels, loadHwModel, defaultHwModelName } = await import('../../hw/load.js');
  const { summariseHwModel } = await import('../../hw/describe-hw-model.js');
  const { formatBytes, formatSi } = await import('../../hw/units.js');
  const summaries = listHwModels().map((name) => summariseHwModel(loadHwModel(name)));
  jsonOrTable(summaries, opts, () => listTable(summaries, defaultHwModelName, formatBytes, formatSi));
}

type Summary = ReturnType<typeof import('../../hw/describe-hw-model.js').summariseHwModel>;
type Fmt = (value: number, unit: string) => string;

function listTable(
  summaries: Summary[],
  defaultName: string,
  formatBytes: (b: number) => string,
  formatSi: Fmt,
): string {
  const header = ['name', 'cores', 'arrays per core', 'on-chip', 'off-chip bw', 'clock'];
  const rows = summaries.map((s) => [
    s.name === defaultName ? `${s.name} (default)` : s.name,
    String(s.cores),
    s.arrays,
    formatBytes(s.onChipBytes),
    formatSi(s.offChipBytesPerSecond, 'B/s'),
    formatSi(s.clockHz, 'Hz'),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [header, ...rows].map((row) => `${pad(row, widths)}\n`).join('');
}

type Fit = Awaited<ReturnType<typeof import('../../train/calibrate/calibrate-host.js').calibrateHost>>;

function calibrationTable(fit: Fit): string {
  const ms = (s: number): string => (1000 * s).toFixed(3).padStart(11);
  const lines = [
    `${fit.file.description}\n\nkernel (bare call)                    measured ms  formula ms  formula/measured`,
  ];
  for (const r of fit.ratios)
    lines.push(
      `${r.name.padEnd(36)}${ms(r.measuredSeconds)}${ms(r.predictedSeconds).padStart(10)}  ${(r.predictedSeconds / r.measuredSeconds).toFixed(2)}`,
    );
  lines.push('\nop class (probe-step nodes, summed)     measured ms  model ms  model/measured');
  for (const c of fit.classes) {
    lines.push(
      `${`${c.op} (${c.nodes} nodes)`.padEnd(36)}${ms(c.measuredSeconds)}${ms(c.predictedSeconds).padStart(10)}  ${(c.predictedSeconds / c.measuredSeconds).toFixed(2)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

async function calibrate(opts: { backend: string; out: string; force?: boolean; json?: boolean }): Promise<void> {
  const { checkOutputs, emitJson, notice, say } = await import('../output.js');
  checkOutputs([{ option: '--out', path: opts.out }], { force: opts.force, jsonOnStdout: opts.json });
  const { calibrateHost } = await import('../../train/calibrate/calibrate-host.js');
  const fit = await calibrateHost(opts.backend, opts.out, Boolean(opts.force), (line) => notice(`${line}\n`));
  say(calibrationTable(fit), Boolean(opts.json));
  notice(`wrote ${opts.out}\n`);
  emitJson({ kind: 'hw-calibration', out: opts.out, model: fit.file, ratios: fit.ratios, classes: fit.classes }, opts);
}

export function register(program: Command): void {
  const hw = program
    .command('hw')
    .description('hardware models: list the shipped ones, show one, check a file, calibrate this machine');
  addJsonOptions(
    hw
      .command('list')
      .description('list the shipped hardware models (cores, arrays, on-chip bytes, off-chip bandwidth, clock)'),
    'the model summaries',
  ).action(action(listModels));
  const show = hw
    .command('show')
    .description('show a hardware model (a shipped name or a JSON file) with units')
    .argument('<name-or-file>', 'shipped model name or path to a hardware JSON file');
  addJsonOptions(show, 'the parsed model (bytes, bytes per cycle, cycles, Hz, pJ)').action(
    action(async (nameOrFile: string, opts: JsonFlags) => {
      checkJsonFlags(opts);
      const { loadHwModel } = await import('../../hw/load.js');
      const { describeHwModel } = await import('../../hw/describe-hw-model.js');
      const model = loadHwModel(nameOrFile, 'hw show');
      jsonOrTable(model, opts, () => `${describeHwModel(model)}\n`);
    }),
  );
  hw.command('calibrate')
    .description(
      'measure this machine through a kernel backend and write a hardware model that simulate --hw predicts it with',
    )
    .option('--backend <b>', 'kernel backend to measure (auto picks the fastest that works)', 'auto')
    .requiredOption('--out <file.json>', 'hardware model file to write')
    .option('--force', 'overwrite an existing --out file')
    .option('--json', 'print the model and the fit check as JSON on stdout (the table goes to stderr)')
    .action(action(calibrate));
  hw.command('check')
    .description('validate a hardware JSON file and report every problem at once (exit 2 if any)')
    .argument('<file>', 'path to a hardware JSON file')
    .option('--json', 'print {file, ok, problems, warnings} as JSON on stdout (still exit 2 if any problem)')
    .action(
      action(async (file: string, opts: { json?: boolean }) => {
        const { checkHwFileFully } = await import('../../hw/load.js');
        const { notice } = await import('../output.js');
        const { problems, warnings } = checkHwFileFully(file);
        for (const w of warnings) notice(`alrflow: warning: ${w}\n`);
        if (opts.json)
          process.stdout.write(
            `${JSON.stringify({ kind: 'hw-check', file, ok: problems.length === 0, problems, warnings }, null, 2)}\n`,
          );
        if (problems.length > 0)
          throw new ConfigError([
            `${problems.length} problem${problems.length === 1 ? '' : 's'} in ${file}:`,
            ...problems,
          ]);
        if (!opts.json)
          process.stdout.write(
            `${file}: ok${warnings.length > 0 ? ` (${warnings.length} warning${warnings.length === 1 ? '' : 's'})` : ''}\n`,
          );
      }),
    );
}
