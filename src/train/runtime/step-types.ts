// Types shared by the runtime: the method switches of a run, parameters by layer, a batch, and what
// one step returns (per-layer gradients, losses, kept bytes by tensor class).
import type { TensorClass } from '../../ir/types.js';
import type { Method } from '../../compiler/methods/names.js';
import type { Baseline } from './host-ops.js';

export interface MethodOptions {
  method: Method;
  copies: number;
  /** Noise standard deviation: per output unit for LR/ALR, per weight for ES/AES (the start value when learned). */
  sigma: number;
  baseline: Baseline;
  encoding: 'sign-noise' | 'sign-signal';
  antithetic: boolean;
  layerwise: boolean;
  /** Hybrids: the BP layers as --bp-layers gives them (absent: the last parametrised layer). */
  bpLayers?: string;
  /** LR/ALR: learn sigma per layer and output unit/channel (METHOD.md 2.1); absent: sigma stays fixed. */
  learnSigma?: LearnSigmaOptions;
}

export interface LearnSigmaOptions {
  /** Base learning rate of sigma (the step's rate is scaled by the run's schedule like the weights'). */
  lr: number;
  /** Floor applied after every update so sigma stays > 0. */
  min: number;
}

export interface LayerParams {
  /** linear [out, in]; conv [out, in, k, k]; batchnorm gamma. */
  weights: Float64Array;
  biases: Float64Array;
}

export type Params = Record<string, LayerParams>;

export interface Batch {
  /** [samples, ...inputShape] row-major. */
  x: Float64Array;
  labels: Int32Array;
  samples: number;
}

export type KeptBytes = Record<TensorClass, number>;

export interface StepResult {
  /** Mean loss over every forward row of the step (N*K rows for LR-family methods). */
  meanLoss: number;
  gradients: Params;
  keptBytes: KeptBytes;
  /** d loss / d sigma per layer, one value per output unit/channel (learned sigma only). */
  sigmaGradients?: Record<string, Float64Array>;
}

/** Float buffers are counted at float32 width, the width the device backends keep them in. */
export const keptFloatBytes = 4;

export function emptyKeptBytes(): KeptBytes {
  return { input: 0, weight: 0, activation: 0, noise: 0, 'sign-bits': 0, loss: 0, gradient: 0, 'optimizer-state': 0 };
}
