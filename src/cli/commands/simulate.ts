// `alrflow simulate`: compile a network, method and schedule onto a hardware model, simulate it and
// print a summary table (none with --quiet); --json prints the full SimReport on stdout, --json-file / --report / --trace
// write it (`-` for stdout), every path checked before the simulation starts.
import type { Command } from 'commander';
import type { SimJob } from '../../../sim/job.js';
import { defaultMethod } from '../../compiler/methods/registry.js';
import { action, positiveInt } from '../action.js';
import { addJsonOptions, say, stdoutTaken } from '../output.js';
import {
  addLockstepOption,
  addStepOptions,
  printStepGraph,
  resolveStepFlags,
  type StepFlags,
} from '../step-options.js';

interface Opts extends StepFlags {
  iterations: string;
  cores?: string;
  fullTimeline?: boolean;
  fullSimulation?: boolean;
  quiet?: boolean;
  json?: boolean;
  jsonFile?: string;
  report?: string;
  trace?: string;
  force?: boolean;
}

/**
 * The simulation job of the flags; --model defaults to resnet9 here, --method to the model's recommended
 * method (src/models/registry.ts) or else the registry's default method.
 */
async function jobOf(o: Opts): Promise<SimJob> {
  const { recommendedStep } = await import('../../compiler/methods/recommended-steps.js');
  const method = o.method ?? recommendedStep(o.model ?? 'resnet9')?.method ?? defaultMethod;
  const { options, hw } = await resolveStepFlags({ ...o, method });
  const { switches, ...compileOptions } = options;
  return {
    ...compileOptions,
    model: o.model ?? 'resnet9',
    hw,
    iterations: positiveInt('--iterations', o.iterations),
    learnSigma: switches?.learnedSigma ?? false,
    cores: o.cores === undefined ? undefined : positiveInt('--cores', o.cores),
    fullTimeline: o.fullTimeline,
    ...(o.fullSimulation ? { extrapolate: false } : {}),
  };
}

export function register(program: Command): void {
  const command = addLockstepOption(
    addStepOptions(
      program
        .command('simulate')
        .description('simulate a training step on a hardware model: cycles, throughput, utilisation, memory, stalls'),
    ),
  )
    .option('--iterations <I>', 'iterations to simulate (at most 100000)', '100')
    .option('--cores <N>', "use exactly N of the chip's cores (default: the fastest of all, half, a quarter, ...)")
    .option(
      '--full-timeline',
      "keep every core's task timeline and every memory instance's timeline in the report (default on chips of more than 64 cores: each stage's first core, its last in lockstep, and per level the instance with the highest peak)",
    )
    .option(
      '--full-simulation',
      'simulate every iteration event by event instead of jumping over the iterations that repeat the steady state exactly (the report is the same; slower)',
    )
    .option('--report <file>', 'write the HTML report (- for stdout)')
    .option('--trace <file>', 'write a Perfetto / chrome://tracing trace (- for stdout)')
    .option('--force', 'overwrite existing output files')
    .option('--quiet', 'print nothing but errors: no progress, summary table or notices');
  addJsonOptions(command, 'the full SimReport').action(
    action(async (o: Opts) => {
      const { compileFastest, compileJob, runSimJob, summaryTable } = await import('../../../sim/job.js');
      const job = await jobOf(o);
      // The step on all the chip's cores, as train and compile map it, or on exactly --cores.
      const step = async () => (job.cores === undefined ? compileJob(job) : (await compileFastest(job)).step);
      if (o.printGraph) return printStepGraph((await step()).graph);
      const { checkSimOutputs, writeSimOutputs } = await import('../sim-outputs.js');
      checkSimOutputs(o);
      const { createProgress } = await import('../progress.js');
      const progress = await createProgress('simulate', { quiet: o.quiet });
      const report = await runSimJob(job, progress.update).finally(() => progress.stop());
      if (!o.quiet) say(summaryTable(report), stdoutTaken(o.json, [o.jsonFile, o.report, o.trace]));
      await writeSimOutputs(report, o);
    }),
  );
}
