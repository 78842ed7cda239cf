// `alrflow start` (what `npm start` runs): the main job on embedded defaults: ALR, K = 64, batch 32,
// layer-pipelined ResNet-9 on the default hardware model; prints the summary and writes report.json
// and report.html. Existing files are kept unless --force (`npm start -- --force`), like every other
// command; with --json the SimReport goes to stdout and the summary to stderr.
import type { Command } from 'commander';
import { action } from '../action.js';
import { defaultMethod } from '../../compiler/methods/registry.js';

interface StartOpts {
  force?: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('start')
    .description('simulate ALR on ResNet-9 on the default hardware model and write report.json and report.html')
    .option('--force', 'overwrite an existing report.json / report.html (npm start -- --force)')
    .option('--json', 'also print the SimReport as JSON on stdout (the summary goes to stderr)')
    .action(
      action(async (opts: StartOpts) => {
        const { defaultHwModelName } = await import('../../hw/load.js');
        const { runSimJob, summaryTable } = await import('../../../sim/job.js');
        const { writeSimOutputs } = await import('../sim-outputs.js');
        const { checkOutputs, say } = await import('../output.js');
        const out = { jsonFile: 'report.json', report: 'report.html', force: opts.force, json: opts.json };
        checkOutputs(
          [
            { option: 'start', path: out.jsonFile },
            { option: 'start', path: out.report },
          ],
          { force: opts.force },
        );
        const report = await runSimJob({
          model: 'resnet9',
          method: defaultMethod,
          copies: 64,
          batch: 32,
          schedule: 'layer-pipelined',
          hw: defaultHwModelName,
          iterations: 20,
        });
        say(summaryTable(report), Boolean(opts.json));
        await writeSimOutputs(report, out);
      }),
    );
}
