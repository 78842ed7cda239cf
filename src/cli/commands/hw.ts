// `alrflow hw list | show NAME|FILE | check FILE | calibrate`: the shipped hardware models, one model in
// words (or as parsed JSON), a validator that reports every problem in a file at once (exit 2), and
// a model of this machine measured through a kernel backend (src/train/calibrate).
import type { Command } from 'commander';
import { ConfigError } from '../../errors.js';
import { action } from '../action.js';

function pad(cells: string[], widths: number[]): string {
  return cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
}

async function listModels(opts: { json?: boolean }): Promise<void> {
  const { listHwModels, loadHwModel, defaultHwModelName } = await import('../../hw/load.js');
  const { summariseHwModel } = await import('../../hw/describe-hw-model.js');
  const { formatBytes, formatSi } = await import('../../hw/units.js');
  const summaries = listHwModels().map((name) => summariseHwModel(loadHwModel(name)));
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(summaries, null, 2)}\n`);
    return;
  }
  const header = ['name', 'cores', 'arrays per core', 'on-chip', 'off-chip bw', 'clock'];
  const rows = summaries.map((s) => [
    s.name === defaultHwModelName ? `${s.name} (default)` : s.name,
    String(s.cores),
    s.arrays,
    formatBytes(s.onChipBytes),
    formatSi(s.offChipBytesPerSecond, 'B/s'),
    formatSi(s.clockHz, 'Hz'),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  for (const row of [header, ...rows]) process.stdout.write(`${pad(row, widths)}\n`);
}

async function calibrate(opts: { backend: string; out: string; force?: boolean }): Promise<void> {
  const { calibrateHost } = await import('../../train/calibrate/calibrate-host.js');
  const fit = await calibrateHost(opts.backend, opts.out, Boolean(opts.force));
  process.stdout.write(`${fit.file.description}\n\nkernel                                measured ms  model ms  model/measured\n`);
  for (const r of fit.ratios) {
    const ms = (s: number): string => (1000 * s).toFixed(3).padStart(11);
    process.stdout.write(`${r.name.padEnd(36)}${ms(r.measuredSeconds)}${ms(r.predictedSeconds).padStart(10)}  ${(r.predictedSeconds / r.measuredSeconds).toFixed(2)}\n`);
  }
  process.stdout.write(`wrote ${opts.out}\n`);
}

export function register(program: Command): void {
  const hw = program.command('hw').description('hardware models: list the shipped ones, show one, check a file, calibrate this machine');
  hw.command('list')
    .description('list the shipped hardware models (cores, arrays, on-chip bytes, off-chip bandwidth, clock)')
    .option('--json', 'print JSON')
    .action(action(listModels));
  hw.command('show')
    .description('show a hardware model (a shipped name or a JSON file) with units')
    .argument('<name-or-file>', 'shipped model name or path to a hardware JSON file')
    .option('--json', 'print the parsed model (bytes, bytes per cycle, cycles, Hz, pJ) as JSON')
    .action(
      action(async (nameOrFile: string, opts: { json?: boolean }) => {
        const { loadHwModel } = await import('../../hw/load.js');
        const model = loadHwModel(nameOrFile, 'hw show');
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(model, null, 2)}\n`);
          return;
        }
        const { describeHwModel } = await import('../../hw/describe-hw-model.js');
        process.stdout.write(`${describeHwModel(model)}\n`);
      }),
    );
  hw.command('calibrate')
    .description('measure this machine through a kernel backend and write a hardware model that simulate --hw predicts it with')
    .option('--backend <b>', 'kernel backend to measure (auto picks the fastest that works)', 'auto')
    .requiredOption('--out <file.json>', 'hardware model file to write')
    .option('--force', 'overwrite an existing --out file')
    .action(action(calibrate));
  hw.command('check')
    .description('validate a hardware JSON file and report every problem at once (exit 2 if any)')
    .argument('<file>', 'path to a hardware JSON file')
    .action(
      action(async (file: string) => {
        const { checkHwFile } = await import('../../hw/load.js');
        const problems = checkHwFile(file);
        if (problems.length > 0) throw new ConfigError([`${problems.length} problem${problems.length === 1 ? '' : 's'} in ${file}:`, ...problems]);
        process.stdout.write(`${file}: ok\n`);
      }),
    );
}
