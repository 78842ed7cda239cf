// The pieces of a training run's setup that read only its config: the step schedule (checked before
// the run directory is written), the dataset and method options, and the memory guard, which counts
// the run from its compiled graphs before anything is allocated. Not the train loop (train.ts).
import { resolveCompileOptions } from '../compiler/compile-options.js';
import { exactMethod, methodOf } from '../compiler/methods/registry.js';
import { usesCopies } from '../compiler/methods/rules.js';
import { defaultHwModelName, loadHwModel } from '../hw/load.js';
import type { Network } from '../models/layers.js';
import type { Dataset, DatasetOptions } from './datasets/types.js';
import { guardRunMemory } from './memory-guard.js';
import { GraphCache, type StepSchedule } from './runtime/graph-cache.js';
import type { MethodOptions } from './runtime/step-types.js';
import { defaultSigmaMin, type TrainConfig } from './train-config.js';

/** The step schedule of a run; its options are checked here, before the run directory is written. */
export function stepScheduleOf(config: TrainConfig): { schedule?: StepSchedule } {
  if (config.stepSchedule === undefined) return {};
  const { method, copies, batch, microBatches, staleness, layerwise } = config;
  resolveCompileOptions({ method, copies, batch, schedule: config.stepSchedule, microBatches, staleness, layerwise });
  const hw = loadHwModel(config.hw ?? defaultHwModelName);
  return {
    schedule: {
      kind: config.stepSchedule,
      microBatches: config.microBatches ?? 1,
      staleness: config.staleness ?? 0,
      hw,
    },
  };
}

export function datasetOptions(config: TrainConfig): DatasetOptions {
  const { limit, testLimit, seed, dataDir, labels } = config;
  const dirs = dataDir === undefined ? {} : { dataDir, mnistDir: dataDir, fashionMnistDir: dataDir };
  return { limit, testLimit, seed, ...dirs, ...(labels === undefined ? {} : { labels }) };
}

export function methodOptions(config: TrainConfig): MethodOptions {
  const { method, copies, sigma, baseline, encoding, antithetic, layerwise } = config;
  const learnSigma = config.learnSigma
    ? { learnSigma: { lr: config.sigmaLr ?? config.lr, min: config.sigmaMin ?? defaultSigmaMin } }
    : {};
  return { method, copies, sigma, baseline, encoding, antithetic, layerwise, ...learnSigma };
}

/** Counts the run's memory from its compiled graphs and refuses it (exit 3) above the limit, before anything is allocated or written. */
export function guardMemory(
  config: TrainConfig,
  dataset: Dataset,
  network: Network,
  maxBytes: number | undefined,
): MemoryUse {
  const schedule = stepScheduleOf(config).schedule;
  const graphs = new GraphCache(
    network,
    methodOptions(config),
    { kind: config.optimizer, momentum: config.momentum },
    schedule,
  );
  const microBatches = schedule?.microBatches ?? 1;
  const evaluationRows = Math.min(
    500,
    Math.max(dataset.test.count, Math.min(dataset.train.count, config.trainEvalSamples)),
  );
  const what = `${config.method.toUpperCase()} on ${config.model} with ${usesCopies(methodOf(config.method)) ? `K=${config.copies}, ` : ''}batch ${config.batch}`;
  const input = {
    step: graphs.step(Math.ceil(config.batch / microBatches)),
    microBatches,
    plainGraph: (rows: number) => graphs.plain(exactMethod, rows),
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
