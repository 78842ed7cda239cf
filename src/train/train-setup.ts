// The pieces of a training run's setup that read only its config: the step schedule (checked before
// the run directory is written), the dataset and method options, and the memory guard, which counts
// the run from its compiled graphs before anything is allocated. Not the train loop (train.ts).
import { resolveCompileOptions } from '../compiler/compile-options.js';
import { methodOf } from '../compiler/methods/registry.js';
import { usesCopies } from '../compiler/methods/rules.js';
import type { CompiledStep } from '../compiler/types.js';
import { ConfigError } from '../errors.js';
import { datasetEntry } from './datasets/load-dataset.js';
import { featureCount } from './datasets/types.js';
import { defaultHwModelName, loadHwModel } from '../hw/load.js';
import { loadStepSource, type StepSource } from '../compiler/step-source.js';
import type { Dataset, DatasetOptions } from './datasets/types.js';
import { guardRunMemory } from './memory-guard.js';
import { GraphCache, type StepSchedule } from './runtime/graph-cache.js';
import type { MethodOptions } from './runtime/step-types.js';
import { defaultSigmaMin, type TrainConfig } from './train-config.js';

/**
 * The step schedule of a run, checked here, before the run directory is written. A run saved before
 * every run had one (no stepSchedule) runs sequential on the default hardware model, which executes
 * the same nodes its unmapped graph did.
 */
export function stepScheduleOf(config: TrainConfig): { schedule: StepSchedule } {
  const { method, copies, batch, layerwise, noiseStorage, stages, stageCuts } = config;
  const kind = config.stepSchedule ?? 'sequential';
  const control = { noiseStorage, stages, stageCuts };
  const resolved = resolveCompileOptions({
    method,
    copies,
    batch,
    schedule: kind,
    microBatches: config.microBatches,
    staleness: config.staleness,
    layerwise,
    ...control,
  });
  const hw = loadHwModel(config.hw ?? defaultHwModelName);
  const { microBatches, staleness } = resolved;
  return { schedule: { kind, batch, microBatches, staleness, hw, ...withoutUndefined(control) } };
}

const withoutUndefined = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

/**
 * The network a run trains: a shipped model built for the dataset's samples and classes (--hidden
 * sets the MLP's widths), or a network file, which must take the dataset's samples and classes.
 */
export async function trainNetwork(
  config: Pick<TrainConfig, 'model' | 'dataset' | 'hidden'>,
  shape: Pick<Dataset, 'inputShape' | 'classes'>,
): Promise<StepSource> {
  const { inputShape, classes } = shape;
  const network = await loadStepSource(config.model, { inputShape, classes, hidden: config.hidden });
  // A network of flat inputs takes any sample of as many values (an MLP reads images flattened).
  const flat = network.inputShape.length === 1 && network.inputShape[0] === featureCount(shape);
  const sameInput = flat || network.inputShape.join('x') === inputShape.join('x');
  if (!sameInput || network.classes !== classes)
    throw new ConfigError([
      `--model ${config.model}: takes samples of shape [${network.inputShape.join(', ')}] into ${network.classes} classes, but --dataset ${config.dataset} has [${inputShape.join(', ')}] and ${classes} classes; allowed: a network whose input shape and class count match the dataset`,
    ]);
  return network;
}

/** The run's whole step as compile() maps it (what `train --print-graph` prints), built without loading data. */
export async function compiledTrainStep(config: TrainConfig): Promise<CompiledStep> {
  const network = await trainNetwork(config, datasetEntry(config.dataset).shape(config.labels));
  const optimizer = { kind: config.optimizer, momentum: config.momentum };
  const graphs = new GraphCache(network, methodOptions(config), optimizer, stepScheduleOf(config).schedule);
  return graphs.compiled();
}

export function datasetOptions(config: TrainConfig): DatasetOptions {
  const { limit, testLimit, seed, dataDir, labels } = config;
  const dirs = dataDir === undefined ? {} : { dataDir, mnistDir: dataDir, fashionMnistDir: dataDir };
  return { limit, testLimit, seed, ...dirs, ...(labels === undefined ? {} : { labels }) };
}

export function methodOptions(config: TrainConfig): MethodOptions {
  const { method, copies, sigma, baseline, encoding, antithetic, layerwise, bpLayers } = config;
  const learnSigma = config.learnSigma
    ? { learnSigma: { lr: config.sigmaLr ?? config.lr, min: config.sigmaMin ?? defaultSigmaMin } }
    : {};
  const layers = bpLayers === undefined ? {} : { bpLayers };
  return { method, copies, sigma, baseline, encoding, antithetic, layerwise, ...learnSigma, ...layers };
}

/** Counts the run's memory from its compiled graphs and refuses it (exit 3) above the limit, before anything is allocated or written. */
export function guardMemory(
  config: TrainConfig,
  dataset: Dataset,
  network: StepSource,
  maxBytes: number | undefined,
): MemoryUse {
  const schedule = stepScheduleOf(config).schedule;
  const graphs = new GraphCache(
    network,
    methodOptions(config),
    { kind: config.optimizer, momentum: config.momentum },
    schedule,
  );
  const microBatches = graphs.layout().microBatches;
  const evaluationRows = Math.min(
    500,
    Math.max(dataset.test.count, Math.min(dataset.train.count, config.trainEvalSamples)),
  );
  const what = `${config.method.toUpperCase()} on ${config.model} with ${usesCopies(methodOf(config.method)) ? `K=${config.copies}, ` : ''}batch ${config.batch}`;
  const input = {
    step: graphs.step(Math.ceil(config.batch / microBatches)),
    microBatches,
    plainGraph: (rows: number) => graphs.evaluation(rows),
    dataset,
    evaluationRows,
  };
  return guardRunMemory(input, maxBytes, what);
}

/** The memory count and the limit it was checked against (recorded in train-report.json), and the evaluation chunk it assumed. */
export interface MemoryUse {
  countBytes: number;
  limitBytes: number;
  evaluationChunk: number;
}
