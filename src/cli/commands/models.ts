// `alrflow models [NAME|FILE]`: the shipped networks (or one network, shipped or from a file) with their
// parametrised layers, parameter counts and forward multiply-accumulates per sample.
import type { Command } from 'commander';
import { action } from '../action.js';
import { addJsonOptions, checkJsonFlags, type JsonFlags, jsonOrTable } from '../output.js';

export function register(program: Command): void {
  addJsonOptions(
    program
      .command('models')
      .argument('[model]', 'a shipped network name or a network file (.json layers, SCALE-Sim topology .csv)')
      .description('list the networks with their parametrised layers, parameter counts and forward MACs per sample'),
    'the model list',
  ).action(
    action(async (model: string | undefined, opts: JsonFlags) => {
      checkJsonFlags(opts);
      const { loadNetwork } = await import('../../models/load-network.js');
      const { modelNames } = await import('../../models/registry.js');
      const { workloadOf } = await import('../../models/workload.js');
      const names = model === undefined ? modelNames : [model];
      const networks = await Promise.all(names.map((name) => loadNetwork(name, {}, 'model')));
      const rows = networks.map((net, i) => ({
        name: names[i] ?? net.name,
        inputShape: net.inputShape,
        classes: net.classes,
        ...workloadOf(net),
      }));
      jsonOrTable(rows, opts, () =>
        rows
          .map(
            (r) =>
              `${r.name.padEnd(8)} input [${r.inputShape.join('x')}]  ${r.paramLayers} param layers  ` +
              `${r.parameters} parameters  ${r.forwardMacsPerSample} forward MACs per sample\n`,
          )
          .join(''),
      );
    }),
  );
}
