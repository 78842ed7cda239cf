// `alrflow simulate`: compile a network, method and schedule onto a hardware model, simulate it and
// print a summary table; --json prints the full SimReport on stdout, --json-file / --report / --trace
// write it (`-` for stdout), every path checked before the simulation starts.
import type { Command } from 'commander';
import { defaultMethod, methodHelp, methodOf, methodsWith } from '../../compiler/methods/registry.js';
import { scheduleHelp } from '../../compiler/schedules/registry.js';
import { action, nameList, oneOf, positiveInt } from '../action.js';
import { addJsonOptions, say, stdoutTaken } from '../output.js';

interface Opts {
  model: string;
  method: string;
  copies: string;
  batch: string;
  schedule?: string;
  hw?: string;
  iterations: string;
  microBatches?: string;
  staleness: string;
  stages?: string;
  cores?: string;
  fullTimeline?: boolean;
  stageCuts?: string;
  noiseStorage?: string;
  learnSigma?: boolean;
  quiet?: boolean;
  json?: boolean;
  jsonFile?: string;
  report?: string;
  trace?: string;
  force?: boolean;
}

export function register(program: Command): void {
  const command = program
    .command('simulate')
    .description('simulate a training step on a hardware model: cycles, throughput, utilisation, memory, stalls')
    .option('--model <name>', 'network name or file', 'resnet9')
    .option('--method <m>', methodHelp(), defaultMethod)
    .option('--copies <K>', 'noise copies per sample', '64')
    .option('--batch <N>', 'samples per step', '32')
    .option(
      '--schedule <s>',
      `${scheduleHelp()} (default: the method's: layer-pipelined for noisy methods, bp-sequential for bp)`,
    )
    .option('--hw <name>', 'hardware model name or file (default: the default model)')
    .option('--iterations <I>', 'iterations to simulate (at most 100000)', '100')
    .option('--micro-batches <M>', 'micro-batches per step (default: one per pipeline stage)')
    .option('--staleness <s>', '0 or 1', '0')
    .option('--stages <N>', 'pipelined schedules: number of stages (default: chosen by estimated cost)')
    .option('--stage-cuts <layers>', 'pipelined schedules: comma-separated layers that begin stages 2, 3, ...')
    .option(
      '--noise-storage <s>',
      "float | sign-bits | regenerate (default: the method's first; sign-bits for alr/aes)",
    )
    .option('--cores <N>', "use exactly N of the chip's cores (default: the fastest of all, half, a quarter, ...)")
    .option(
      '--full-timeline',
      "keep every memory instance's timeline in the report (default: summarised on chips of more than 64 cores)",
    )
    .option(
      '--learn-sigma',
      `${methodsWith('learnedSigma').join(', ')}: learned sigma (each layer's sigma gradient and update join the step)`,
    )
    .option('--report <file>', 'write the HTML report (- for stdout)')
    .option('--trace <file>', 'write a Perfetto / chrome://tracing trace (- for stdout)')
    .option('--force', 'overwrite existing output files')
    .option('--quiet', 'no progress on stderr');
  addJsonOptions(command, 'the full SimReport').action(
    action(async (o: Opts) => {
      const { methodNames: methods } = await import('../../compiler/methods/registry.js');
      const { scheduleKinds } = await import('../../compiler/types.js');
      const { defaultHwModelName } = await import('../../hw/load.js');
      const { runSimJob, summaryTable } = await import('../../../sim/job.js');
      const { checkSimOutputs, writeSimOutputs } = await import('../sim-outputs.js');
      checkSimOutputs(o);
      const method = oneOf('--method', o.method, methods);
      const job = {
        model: o.model,
        method,
        copies: positiveInt('--copies', o.copies),
        batch: positiveInt('--batch', o.batch),
        schedule: oneOf('--schedule', o.schedule ?? methodOf(method).simulateSchedule, scheduleKinds),
        hw: o.hw ?? defaultHwModelName,
        iterations: positiveInt('--iterations', o.iterations),
        microBatches: o.microBatches === undefined ? undefined : positiveInt('--micro-batches', o.microBatches),
        staleness: Number(oneOf('--staleness', o.staleness, ['0', '1'] as const)) as 0 | 1,
        noiseStorage:
          o.noiseStorage === undefined
            ? undefined
            : oneOf('--noise-storage', o.noiseStorage, ['float', 'sign-bits', 'regenerate'] as const),
        stages: o.stages === undefined ? undefined : positiveInt('--stages', o.stages),
        stageCuts: o.stageCuts === undefined ? undefined : nameList(o.stageCuts),
        learnSigma: o.learnSigma ?? false,
        cores: o.cores === undefined ? undefined : positiveInt('--cores', o.cores),
        fullTimeline: o.fullTimeline,
      };
      const { createProgress } = await import('../progress.js');
      const progress = await createProgress('simulate', { quiet: o.quiet });
      const report = await runSimJob(job, progress.update).finally(() => progress.stop());
      say(summaryTable(report), stdoutTaken(o.json, [o.jsonFile, o.report, o.trace]));
      await writeSimOutputs(report, o);
    }),
  );
}
