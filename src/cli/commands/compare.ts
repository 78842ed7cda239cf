// `alrflow compare`: every method's rows from the method registry (BP sequential, GPipe, 1F1B; LR,
// ALR, pipelined; ES, AES; Hybrid and A-Hybrid with and without a pipeline) on one network and hardware model, as iterations/s relative to BP, with each row's shares of computing,
// memory stalls and idle time, its bound ratio and peak memory; --stages/--stage-cuts set the pipelined rows' stages.
// The table goes to stdout, to stderr beside an HTML report on stdout, nowhere with --quiet or the JSON on stdout.
import type { Command } from 'commander';
import { methodsWith } from '../../compiler/methods/registry.js';
import { action, nameList, positiveInt } from '../action.js';
import { modelChoices } from '../model-option.js';
import { addJsonOptions, say, stdoutPath, stdoutTaken } from '../output.js';

interface Opts {
  model: string;
  hw?: string;
  copies: string;
  batch: string;
  iterations: string;
  stages?: string;
  stageCuts?: string;
  bpLayers?: string;
  lockstep?: string;
  json?: boolean;
  jsonFile?: string;
  report?: string;
  force?: boolean;
  quiet?: boolean;
}

export function register(program: Command): void {
  const command = program
    .command('compare')
    .description(
      'every gradient method (BP, LR, ALR, ES, AES, hybrids), with and without a pipeline, on one hardware model',
    )
    .option('--model <name|file>', modelChoices(), 'resnet9')
    .option('--hw <name>', 'hardware model name or file (default: the default model)')
    .option('--copies <K>', 'noise copies per sample', '64')
    .option('--batch <N>', 'samples per step', '32')
    .option('--iterations <I>', 'iterations simulated per row', '20')
    .option('--stages <N>', 'stages of the pipelined rows (default: chosen by estimated cost)')
    .option('--stage-cuts <layers>', 'pipelined rows: comma-separated layers that begin stages 2, 3, ...')
    .option(
      '--bp-layers <layers>',
      `${methodsWith('bpLayers').join(', ')}: the layers trained by BP, last:N or layer names, comma separated (default: the last parametrised layer)`,
    )
    .option(
      '--lockstep <when>',
      "auto | on | off: simulate each row's ops in lockstep, one task (the busiest share) standing for their cores; auto: on unless an on-chip level is shared by the cores (then as simulate: on above 256 cores) (default: auto)",
    )
    .option('--report <file>', 'write the HTML report (- for stdout)')
    .option('--force', 'overwrite existing output files')
    .option('--quiet', 'print nothing but errors: no progress, table or notices');
  addJsonOptions(command, 'the CompareReport').action(
    action(async (o: Opts) => {
      (await import('../sim-jit.js')).tuneJitForSimulation();
      (await import('../compare-gc.js')).tuneGcForCompare();
      const { defaultHwModelName } = await import('../../hw/load.js');
      const { runCompare, compareTable } = await import('../../../sim/compare.js');
      const { checkSimOutputs, writeSimOutputs } = await import('../sim-outputs.js');
      checkSimOutputs(o);
      const { createProgress } = await import('../progress.js');
      const { lockstepFlag } = await import('../step-options.js');
      const progress = await createProgress('compare', { quiet: o.quiet });
      const report = await runCompare(
        {
          model: o.model,
          hw: o.hw ?? defaultHwModelName,
          copies: positiveInt('--copies', o.copies),
          batch: positiveInt('--batch', o.batch),
          iterations: positiveInt('--iterations', o.iterations),
          ...(o.stages === undefined ? {} : { stages: positiveInt('--stages', o.stages) }),
          ...(o.stageCuts === undefined ? {} : { stageCuts: nameList(o.stageCuts) }),
          ...(o.bpLayers === undefined ? {} : { bpLayers: o.bpLayers }),
          ...lockstepFlag(o.lockstep),
        },
        progress.update,
      ).finally(() => progress.stop());
      // The table is for people: not with --quiet, and not beside the JSON on stdout (it is the same figures).
      const jsonOnStdout = Boolean(o.json) || o.jsonFile === stdoutPath;
      if (!o.quiet && !jsonOnStdout) say(compareTable(report), stdoutTaken(o.json, [o.jsonFile, o.report]));
      await writeSimOutputs(report, o);
    }),
  );
}
