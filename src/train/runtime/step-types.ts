// Types shared by the runtime's step functions: what one step reads (kernels, layers, parameters,
// method switches, counters) and returns (per-layer gradients, losses, kept bytes by tensor class).
import type { KernelTable } from '../../../kernels/names.js';
import type { Method, TensorClass } from '../../ir/types.js';
import type { DenseLayer } from './dense-stack.js';
import type { Baseline } from './host-ops.js';

export interface MethodOptions {
  method: Method;
  copies: number;
  /** Noise standard deviation: per output unit for LR/ALR, per weight for ES/AES (fixed). */
  sigma: number;
  baseline: Baseline;
  encoding: 'sign-noise' | 'sign-signal';
  antithetic: boolean;
  layerwise: boolean;
}

export interface LayerParams {
  /** [outFeatures, inFeatures] row-major. */
  weights: Float64Array;
  biases: Float64Array;
}

export type Params = Record<string, LayerParams>;

export interface StepContext {
  kernels: KernelTable;
  layers: DenseLayer[];
  params: Params;
  options: MethodOptions;
  seed: number;
  step: number;
}

export interface Batch {
  /** [samples, inFeatures of the first layer]. */
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
}

/** Float buffers are counted at float32 width, the width the device backends keep them in. */
export const keptFloatBytes = 4;

export function emptyKeptBytes(): KeptBytes {
  return { input: 0, weight: 0, activation: 0, noise: 0, 'sign-bits': 0, loss: 0, gradient: 0, 'optimizer-state': 0 };
}
