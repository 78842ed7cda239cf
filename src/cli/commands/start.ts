// `alrflow start` (what `npm start` runs): the main job on embedded defaults: ALR, K = 64, batch 32,
// layer-pipelined ResNet-9 on the default hardware model; prints the summary and writes report.json
// and report.html, replacing them only when alrflow wrote them.
import type { Command } from 'commander';
import { action } from '../action.js';

export function register(program: Command): void {
  program
    .command('start')
    .description('simulate ALR on ResNet-9 on the default hardware model and write report.json and report.html')
    .action(
      action(async () => {
        const { defaultHwModelName } = await import('../../hw/load.js');
        const { runSimJob, summaryTable } = await import('../../../sim/job.js');
        const { checkSimOutputs, writeSimOutputs } = await import('../sim-outputs.js');
        const { alrflowWrote } = await import('../written-by-alrflow.js');
        const out = { jsonFile: 'report.json', report: 'report.html' };
        checkSimOutputs(out, { replaceable: alrflowWrote });
        const report = await runSimJob({
          model: 'resnet9', method: 'alr', copies: 64, batch: 32, schedule: 'layer-pipelined', hw: defaultHwModelName, iterations: 20,
        });
        process.stdout.write(summaryTable(report));
        await writeSimOutputs(report, out);
      }),
    );
}
