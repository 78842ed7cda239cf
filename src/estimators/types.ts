// Plain data types shared by the five gradient estimators (bp, lr, alr, es, aes): parameters,
// options, per-layer gradients and the kept-bytes account. No logic here.
import type { Method } from '../compiler/methods/names.js';

export type { Method };

/** Weights and biases of one parametrised layer (linear: [out, in]; conv: [out, in, k, k]; batchnorm: gamma, beta). */
export interface LayerParams {
  weights: Float64Array;
  biases: Float64Array;
}

/** Parameters keyed by parametrised-layer name. */
export type Params = Map<string, LayerParams>;

export interface LayerGradient {
  weights: Float64Array;
  biases: Float64Array;
  /** Gradient of the loss w.r.t. the layer's noise std (LR/ALR with learned sigma only). */
  sigma?: Float64Array;
}

export type Baseline = 'none' | 'mean' | 'leave-one-out';
export type AlrEncoding = 'sign-noise' | 'sign-signal';
export type NoiseStorage = 'float' | 'sign-bits' | 'regenerate';

/** Per-row loss of the network outputs (default: softmax cross-entropy); lets tests use closed-form losses. */
export type RowLoss = (outputs: Float64Array, labels: Int32Array, rows: number, classes: number) => Float64Array;

export interface EstimatorOptions {
  method: Method;
  /** Noise copies per sample (K); ignored by BP. */
  copies: number;
  /** Noise std: one number for every unit, or per layer name one value per output neuron/channel (LR/ALR). */
  sigma: number | Map<string, Float64Array>;
  /** Also estimate d loss / d sigma (LR/ALR): L * (eps^2 - 1) / sigma. */
  learnSigma?: boolean;
  baseline?: Baseline;
  antithetic?: boolean;
  /** LR/ALR: perturb only these parametrised layers (hybrids: the layers not trained by BP); absent: all. */
  noisyLayers?: readonly string[];
  /** Hybrids: the layers trained by backpropagation (names, resolved by the caller). */
  bpLayers?: readonly string[];
  /** Perturb one parametrised layer per pass (ULR's layer-wise injection), LR/ALR only. */
  layerwise?: boolean;
  /**
   * LR/ALR: the error signal is zero on output tokens that cannot reach the loss (src/models/token-reach.ts;
   * unbiased, lower variance). Default true, as the runtime does; false keeps their zero-mean terms.
   */
  dropUnreachable?: boolean;
  /** Randomly shifted rank-1 lattice noise instead of i.i.d. draws. */
  qmc?: boolean;
  alrEncoding?: AlrEncoding;
  /** Default: 'float' for lr/es, 'sign-bits' for alr/aes. */
  noiseStorage?: NoiseStorage;
  seed?: number;
  step?: number;
  /** Bytes per float element when counting kept bytes (4 for f32, 2 for f16). */
  floatBytes?: number;
  /** LR/ALR/ES/AES only; BP always differentiates softmax cross-entropy. */
  rowLoss?: RowLoss;
}

export type KeptClass = 'activation' | 'noise' | 'sign-bits' | 'loss';

/** Bytes kept from production until the loss vector is known, measured from the buffers actually kept. */
export interface KeptBytes {
  byClass: Record<KeptClass, number>;
  /** Per parametrised layer (loss is not per layer). */
  byLayer: Record<string, Record<Exclude<KeptClass, 'loss'>, number>>;
}

export interface GradientResult {
  method: Method;
  gradients: Map<string, LayerGradient>;
  /** Mean loss over the rows the estimator evaluated (noisy rows for LR/ALR/ES/AES). */
  meanLoss: number;
  kept: KeptBytes;
}

export interface Batch {
  /** [batch, ...inputShape] row-major. */
  input: Float64Array;
  labels: Int32Array;
  size: number;
}
