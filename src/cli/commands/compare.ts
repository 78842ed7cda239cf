// `alrflow compare`: BP (sequential, GPipe, 1F1B), LR, ALR, LR/ALR pipelined, ES and AES on one
// network and hardware model, as iterations/s relative to BP, with peak memory and utilisation.
import type { Command } from 'commander';
import { action, positiveInt } from '../action.js';

export function register(program: Command): void {
  program
    .command('compare')
    .description('BP vs LR vs ALR (and ES, AES), with and without the pipeline, on one hardware model')
    .option('--model <name>', 'network name or file', 'resnet9')
    .option('--hw <name>', 'hardware model name or file (default: the default model)')
    .option('--copies <K>', 'noise copies per sample', '64')
    .option('--batch <N>', 'samples per step', '32')
    .option('--iterations <I>', 'iterations simulated per row', '20')
    .option('--json <file>', 'write the CompareReport JSON')
    .option('--report <file>', 'write the HTML report')
    .option('--force', 'overwrite existing output files')
    .action(
      action(async (o: { model: string; hw?: string; copies: string; batch: string; iterations: string; json?: string; report?: string; force?: boolean }) => {
        const { defaultHwModelName } = await import('../../hw/load.js');
        const { runCompare, compareTable, writeOutputs } = await import('../../../sim/job.js');
        const report = await runCompare({
          model: o.model, hw: o.hw ?? defaultHwModelName, copies: positiveInt('--copies', o.copies), batch: positiveInt('--batch', o.batch),
          iterations: positiveInt('--iterations', o.iterations),
        });
        process.stdout.write(compareTable(report));
        for (const f of await writeOutputs(report, { json: o.json, report: o.report, force: o.force })) process.stdout.write(`wrote ${f}\n`);
      }),
    );
}
