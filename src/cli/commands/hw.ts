// `alrflow hw list | show NAME|FILE | check FILE`: the shipped hardware models, one model in words
// (or as parsed JSON), and a validator that reports every problem in a file at once (exit 2).
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

export function register(program: Command): void {
  const hw = program.command('hw').description('hardware models: list the shipped ones, show one, check a file');
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
