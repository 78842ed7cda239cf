// `alrflow models [NAME|FILE]`: the shipped networks (or one network, shipped or from a file) with their
// parametrised layers, parameter counts and forward multiply-accumulates per sample.
import type { Command } from 'commander';
import { action } from '../action.js';
import { modelChoices } from '../model-option.js';
import { addJsonOptions, checkJsonFlags, type JsonFlags, jsonOrTable } from '../output.js';

interface ModelRow {
  name: string;
  inputShape: readonly number[];
  classes: number;
  parameters: number;
  paramLayers: number;
  forwardMacsPerSample: number;
  /** The step options a shipped model uses where --method and --batch are not given (src/models/registry.ts). */
  recommendedStep?: { method: string; batch: number; why: string };
}

/** One network's row: an ONNX file is measured on its own graph, anything else on its layer list. */
async function modelRow(name: string): Promise<ModelRow> {
  if (name.toLowerCase().endsWith('.onnx')) {
    const { importOnnxFile, onnxClasses } = await import('../../models/importers/onnx-graph.js');
    const { onnxWorkload } = await import('../../models/importers/onnx-workload.js');
    const onnx = importOnnxFile(name);
    return { name, inputShape: onnx.input.sampleShape, classes: onnxClasses(onnx), ...onnxWorkload(onnx) };
  }
  const { loadNetwork } = await import('../../models/load-network.js');
  const { workloadOf } = await import('../../models/workload.js');
  const { recommendedStep } = await import('../../compiler/methods/recommended-steps.js');
  const net = await loadNetwork(name, {}, 'model');
  const recommended = recommendedStep(name);
  return {
    name,
    inputShape: net.inputShape,
    classes: net.classes,
    ...workloadOf(net),
    ...(recommended ? { recommendedStep: recommended } : {}),
  };
}

export function register(program: Command): void {
  addJsonOptions(
    program
      .command('models')
      .argument('[model]', `${modelChoices()}, or a SCALE-Sim topology .csv`)
      .description('list the networks with their parametrised layers, parameter counts and forward MACs per sample'),
    'the model list',
  ).action(
    action(async (model: string | undefined, opts: JsonFlags) => {
      checkJsonFlags(opts);
      const { modelNames } = await import('../../models/registry.js');
      const names = model === undefined ? modelNames : [model];
      const rows = await Promise.all(names.map(modelRow));
      jsonOrTable(rows, opts, () =>
        rows
          .map(
            (r) =>
              `${r.name.padEnd(8)} input [${r.inputShape.join('x')}]  ${r.paramLayers} param layers  ` +
              `${r.parameters} parameters  ${r.forwardMacsPerSample} forward MACs per sample` +
              (r.recommendedStep
                ? `\n${''.padEnd(8)} default step: --method ${r.recommendedStep.method} --batch ${r.recommendedStep.batch} (${r.recommendedStep.why})\n`
                : '\n'),
          )
          .join(''),
      );
    }),
  );
}
