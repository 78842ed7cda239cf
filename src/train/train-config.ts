// The configuration of one training run: everything that determines its result. It is saved in the
// run directory (config.json) and inside every checkpoint, and a resumed run uses the saved copy.
import type { CompileOptions, ScheduleKind } from '../compiler/types.js';
import type { Method } from '../compiler/methods/names.js';
import type { AugmentKind } from './augment.js';
import type { LrScheduleKind } from './lr-schedule.js';
import type { Baseline } from './runtime/host-ops.js';
import type { OptimizerKind } from './runtime/optimizer-state.js';

export interface TrainConfig {
  model: string;
  dataset: string;
  method: Method;
  copies: number;
  batch: number;
  epochs: number;
  backend: string;
  seed: number;
  lr: number;
  optimizer: OptimizerKind;
  momentum: number;
  /** The learning-rate schedule. */
  schedule: LrScheduleKind;
  /** The compiler's step schedule the mapped graph of `hw` runs under (absent in runs saved before: sequential). */
  stepSchedule?: ScheduleKind;
  /** Micro-batches per step (absent: the compiler's default). */
  microBatches?: number;
  /** 1 applies the gradient of step t at step t + 1 (absent: 0). */
  staleness?: 0 | 1;
  /** Hardware model name or file the step is compiled onto (absent: the default model). */
  hw?: string;
  /** How noise is kept (absent: the compiler's default for the method). */
  noiseStorage?: CompileOptions['noiseStorage'];
  /** Pipelined schedules: a stage count, or the layers that begin stages 2, 3, ... */
  stages?: number;
  stageCuts?: string[];
  sigma: number;
  baseline: Baseline;
  encoding: 'sign-noise' | 'sign-signal';
  antithetic: boolean;
  layerwise: boolean;
  /** Hybrids: the BP layers, as --bp-layers gives them; absent: the last parametrised layer. */
  bpLayers?: string;
  /** LR/ALR: learn sigma per layer and output unit/channel. Absent (not false) when sigma is fixed, so runs saved before it existed still resume. */
  learnSigma?: true;
  /** Base learning rate of sigma (scaled by the schedule like --lr); only with learnSigma. */
  sigmaLr?: number;
  /** Floor of learned sigma after every update (keeps it > 0); only with learnSigma. */
  sigmaMin?: number;
  /** Use only the first N training samples. */
  limit?: number;
  /** CIFAR: the folder of the official binary files (or its parent). */
  dataDir?: string;
  /** CIFAR-100: fine (100 classes) or coarse (20) labels. */
  labels?: string;
  /** Training-batch augmentation (absent in runs saved before it existed: none). */
  augment?: AugmentKind;
  /** An ONNX model's start: absent, its initializers; 'random', the seeded initialisation. */
  init?: 'random';
  /** Hidden widths of the MLP. */
  hidden: number[];
  checkpointEvery: number;
  /** Training-split samples evaluated at each epoch end (the whole split can be slow to score). */
  trainEvalSamples: number;
  /** Test samples evaluated (default: the whole test split). */
  testLimit?: number;
}

export const defaultTrainConfig: Omit<TrainConfig, 'model' | 'dataset' | 'method'> = {
  copies: 64,
  batch: 64,
  epochs: 3,
  backend: 'auto',
  seed: 1,
  lr: 0.01,
  optimizer: 'sgd',
  momentum: 0.9,
  schedule: 'cosine',
  sigma: 0.1,
  baseline: 'mean',
  encoding: 'sign-noise',
  antithetic: false,
  layerwise: false,
  hidden: [256],
  checkpointEvery: 100,
  trainEvalSamples: 10000,
};

/** Floor of learned sigma when --sigma-min is not given: well under the 0.01-0.3 range METHOD.md found to work. */
export const defaultSigmaMin = 1e-3;
