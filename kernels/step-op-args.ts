// Argument and result types of the training step's small ops that used to be host code in the
// runtime: BP through batchnorm, the per-sample loss baseline, the softmax gradient and learned
// sigma's gradient. Part of the kernel contract of names.ts (KernelArgs extends StepOpArgs). No arithmetic.
/** names.ts's NumArray (float32 from the device backends, float64 from the reference), stated here so names.ts can import this file. */
type NumArray = Float32Array | Float64Array;

export const STEP_OP_NAMES = ['batchnorm-backward', 'loss-baseline', 'softmax-gradient', 'sigma-gradient'] as const;
export type StepOpName = (typeof STEP_OP_NAMES)[number];

/** BP through batchnorm with frozen statistics, layout [rows, channels, spatial]: dx = dy gamma[c] / sqrt(variance[c] + 1e-5). */
export interface BatchnormBackwardArgs {
  dy: NumArray;
  gamma: NumArray;
  variance: NumArray;
  rows: number;
  channels: number;
  spatial: number;
}

/** What a sample's copies subtract from each copy's loss (METHOD.md 2.3). */
export type LossBaseline = 'none' | 'mean' | 'leave-one-out';

/**
 * Each loss row minus its sample's baseline over the sample's `copies` rows: the mean of all of them
 * or of the others (leave-one-out; 0 with one copy). Rows are n*copies + k, or k*samples + n when copyMajor.
 */
export interface LossBaselineArgs {
  loss: NumArray;
  samples: number;
  copies: number;
  baseline: LossBaseline;
  copyMajor: boolean;
}

/** d mean-loss / d logits of per-row softmax cross-entropy: (softmax(logits[r]) - onehot(labels[r])) / rows. */
export interface SoftmaxGradientArgs {
  logits: NumArray;
  labels: Int32Array;
  rows: number;
  classes: number;
}

/**
 * Learned sigma's gradient (METHOD.md 2.1), eps [rows, channels, spatial]: per channel c, the sum over
 * rows r and positions of loss[r] (eps^2 - 1), divided by sigma[c] * normaliser.
 */
export interface SigmaGradientArgs {
  eps: NumArray;
  loss: NumArray;
  sigma: NumArray;
  rows: number;
  channels: number;
  spatial: number;
  normaliser: number;
}

export interface StepOpArgs {
  'batchnorm-backward': BatchnormBackwardArgs;
  'loss-baseline': LossBaselineArgs;
  'softmax-gradient': SoftmaxGradientArgs;
  'sigma-gradient': SigmaGradientArgs;
}

export type StepOpOutputs = { [K in StepOpName]: NumArray };
