// `alrflow simulate`: compile a network, method and schedule onto a hardware model, simulate it and
// print a summary table; --json / --report / --trace write the full report (never silently over a file).
import type { Command } from 'commander';
import { scheduleHelp } from '../../compiler/schedules/registry.js';
import { action, nameList, oneOf, positiveInt } from '../action.js';

interface Opts {
  model: string; method: string; copies: string; batch: string; schedule: string; hw?: string; iterations: string;
  microBatches?: string; staleness: string; stages?: string; stageCuts?: string; noiseStorage?: string; json?: string; report?: string; trace?: string; force?: boolean;
}

export function register(program: Command): void {
  program
    .command('simulate')
    .description('simulate a training step on a hardware model: cycles, throughput, utilisation, memory, stalls')
    .option('--model <name>', 'network name or file', 'resnet9')
    .option('--method <m>', 'bp | lr | alr | es | aes', 'alr')
    .option('--copies <K>', 'noise copies per sample', '64')
    .option('--batch <N>', 'samples per step', '32')
    .option('--schedule <s>', scheduleHelp(), 'layer-pipelined')
    .option('--hw <name>', 'hardware model name or file (default: the default model)')
    .option('--iterations <I>', 'iterations to simulate', '100')
    .option('--micro-batches <M>', 'micro-batches per step (default: one per pipeline stage)')
    .option('--staleness <s>', '0 or 1', '0')
    .option('--stages <N>', 'pipelined schedules: number of stages (default: chosen by estimated cost)')
    .option('--stage-cuts <layers>', 'pipelined schedules: comma-separated layers that begin stages 2, 3, ...')
    .option('--noise-storage <s>', 'float | sign-bits | regenerate (default: sign-bits for alr/aes, float otherwise)')
    .option('--json <file>', 'write the full SimReport JSON')
    .option('--report <file>', 'write the HTML report')
    .option('--trace <file>', 'write a Perfetto / chrome://tracing trace')
    .option('--force', 'overwrite existing output files')
    .action(
      action(async (o: Opts) => {
        const { methods } = await import('../../ir/types.js');
        const { scheduleKinds } = await import('../../compiler/types.js');
        const { defaultHwModelName } = await import('../../hw/load.js');
        const { runSimJob, summaryTable, writeOutputs } = await import('../../../sim/job.js');
        const job = {
          model: o.model,
          method: oneOf('--method', o.method, methods),
          copies: positiveInt('--copies', o.copies),
          batch: positiveInt('--batch', o.batch),
          schedule: oneOf('--schedule', o.schedule, scheduleKinds),
          hw: o.hw ?? defaultHwModelName,
          iterations: positiveInt('--iterations', o.iterations),
          microBatches: o.microBatches === undefined ? undefined : positiveInt('--micro-batches', o.microBatches),
          staleness: Number(oneOf('--staleness', o.staleness, ['0', '1'] as const)) as 0 | 1,
          noiseStorage: o.noiseStorage === undefined ? undefined : oneOf('--noise-storage', o.noiseStorage, ['float', 'sign-bits', 'regenerate'] as const),
          stages: o.stages === undefined ? undefined : positiveInt('--stages', o.stages),
          stageCuts: o.stageCuts === undefined ? undefined : nameList(o.stageCuts),
        };
        const report = await runSimJob(job);
        process.stdout.write(summaryTable(report));
        for (const f of await writeOutputs(report, { json: o.json, report: o.report, trace: o.trace, force: o.force })) process.stdout.write(`wrote ${f}\n`);
      }),
    );
}
