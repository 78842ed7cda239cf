// `alrflow models`: the shipped network builders and their layer counts.
import type { Command } from 'commander';
import { action } from '../action.js';
import { addJsonOptions, checkJsonFlags, type JsonFlags, jsonOrTable } from '../output.js';

export function register(program: Command): void {
  addJsonOptions(program.command('models').description('list the shipped networks with their parametrised layers and parameter counts'), 'the model list')
    .action(
      action(async (opts: JsonFlags) => {
        checkJsonFlags(opts);
        const { buildModel, modelNames } = await import('../../models/registry.js');
        const { paramLayers, parameterCount } = await import('../../models/layers.js');
        const rows = modelNames.map((name) => {
          const net = buildModel(name);
          const layers = paramLayers(net.layers);
          const params = layers.reduce((s, l) => s + parameterCount(l).weights + parameterCount(l).biases, 0);
          return { name, inputShape: net.inputShape, classes: net.classes, paramLayers: layers.length, parameters: params };
        });
        jsonOrTable(rows, opts, () => rows.map((r) => `${r.name.padEnd(8)} input [${r.inputShape.join('x')}]  ${r.paramLayers} param layers  ${r.parameters} parameters\n`).join(''));
      }),
    );
}
