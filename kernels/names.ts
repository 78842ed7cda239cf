// The one list of kernel names, and each kernel's argument and result types (the contract every
// backend implements). All tensors are flat row-major arrays with explicit dims; conv tensors are
// NCHW. This file holds no arithmetic: implementations live in reference/, gpujs/ and tfjs/.
import type { ConvDims } from './reference/conv-dims.js';
import type { PoolDims } from './reference/pool-dims.js';
import { BIAS_ACTIVATIONS, type ActivationName, type BiasActivation } from './ops/activations.js';
import { STEP_OP_NAMES, type StepOpArgs, type StepOpOutputs } from './step-op-args.js';
import { TOKEN_KERNEL_NAMES, type TokenOpArgs, type TokenOpOutputs } from './token-op-args.js';

export type { ConvDims };

export const KERNEL_NAMES = [
  'matmul',
  'matmul-at-b',
  'matmul-a-bt',
  'conv2d',
  'bias-activation',
  'activation-backward',
  'noise-inject',
  'noise-inject-signs',
  'sign-pack',
  'lr-grad-product',
  'softmax-cross-entropy',
  'row-sum',
  'sgd-update',
  'adam-update',
  'batchnorm',
  'pool',
  'pool-backward',
  'add',
  'conv2d-backward-data',
  'conv2d-backward-weights',
  'copy-sum',
  ...STEP_OP_NAMES,
  ...TOKEN_KERNEL_NAMES,
] as const;

export type KernelName = (typeof KERNEL_NAMES)[number];

/** Every kernel backend (detection and dispatch: backends.ts, registry.ts). */
export const BACKEND_NAMES = [
  'reference',
  'tfjs-wasm',
  'webasm',
  'cpu',
  'headlessgl',
  'webgpu',
  'webgl2',
  'browser-webgpu',
  'browser-webgl2',
] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
export type BackendChoice = BackendName | 'auto';
export const BACKEND_CHOICES: readonly BackendChoice[] = [...BACKEND_NAMES, 'auto'];

/** gpu.js-backed backends in this process; browser-* run gpu.js inside headless Chromium, the others are plain TS (reference) and TF.js's wasm backend. */
export const GPUJS_BACKENDS = ['webasm', 'cpu', 'headlessgl', 'webgpu', 'webgl2'] as const;
export type GpujsBackend = (typeof GPUJS_BACKENDS)[number];

export function isGpujsBackend(b: BackendName): b is GpujsBackend {
  return (GPUJS_BACKENDS as readonly string[]).includes(b);
}

/** gpu.js in a headless Chromium page that stays open as the device server (kernels/browser). */
export const BROWSER_BACKENDS = ['browser-webgpu', 'browser-webgl2'] as const;
export type BrowserBackend = (typeof BROWSER_BACKENDS)[number];

export function isBrowserBackend(b: BackendName): b is BrowserBackend {
  return (BROWSER_BACKENDS as readonly string[]).includes(b);
}

/** Float input: float64 from the reference path, float32 from the device backends. */
export type NumArray = Float32Array | Float64Array;

/** A bias-activation's activation: 'none' or a name of the op table (kernels/ops/activations.ts). */
export type Activation = BiasActivation;
export const ACTIVATIONS: readonly Activation[] = BIAS_ACTIVATIONS;

/** A (m x k) times B (k x n) -> C (m x n). */
export interface MatmulArgs {
  a: NumArray;
  b: NumArray;
  m: number;
  k: number;
  n: number;
}

/** conv2d (cross-correlation, zero padding), NCHW: x [batch, inChannels, height, width], weights [outChannels, inChannels, k, k]. */
export interface Conv2dArgs {
  x: NumArray;
  weights: NumArray;
  dims: ConvDims;
}

/**
 * out[r, c, s] = act(z[r, c, s] + bias[c]), layout [rows, channels, spatial]: spatial is 1 for a
 * dense layer and outHeight * outWidth for an NCHW conv output (rows = batch).
 */
export interface BiasActivationArgs {
  z: NumArray;
  bias: NumArray;
  rows: number;
  channels: number;
  spatial: number;
  activation: Activation;
}

/** BP through an activation of the op table: dx[i] = dy[i] * f'(x[i]), x the activation's forward input. */
export interface ActivationBackwardArgs {
  dy: NumArray;
  x: NumArray;
  activation: ActivationName;
}

/**
 * out[r, c, s] = z[r, c, s] + sigma[c] * eps, layout [rows, channels, spatial], with eps the
 * standard normal draw of kernels/rng.ts for (seed, step, layer, rowOffset + r, unit =
 * c * spatial + s), generated inside the kernel on gpu.js backends (no host-side noise array).
 */
export interface NoiseInjectArgs {
  z: NumArray;
  sigma: NumArray;
  rows: number;
  channels: number;
  spatial: number;
  seed: number;
  step: number;
  layer: number;
  rowOffset: number;
  /**
   * Output rows per row of z (default 1): z holds rows / copies rows and output row r adds z row
   * floor(r / copies), so a copy-invariant input (N rows for N*K output rows) needs no repeated copy.
   */
  copies?: number;
  /**
   * Host backends: arrays of the result's lengths whose values the caller no longer reads (what this
   * call site's kernel returned the step before). The kernel may write its result into them and return
   * them instead of allocating (a fresh 4 MiB output per step is most of a step's garbage collection);
   * other backends ignore them. The result is the same either way.
   */
  reuse?: NoiseOutputs;
}

/** noise-inject-signs' result; noise-inject's is `out` alone. */
export interface NoiseOutputs {
  out: Float32Array;
  signs?: Uint32Array;
}

/** Packs the signs of `values`, 32 per Uint32 word: bit i of word j is 1 when values[32j + i] >= 0. */
export interface SignPackArgs {
  values: NumArray;
}

/**
 * The LR/ALR gradient product of a dense layer: with delta[r, o] = scale * loss[r] * e[r, o] / sigma[o],
 * weights[o, i] = sum_r delta[r, o] * x[r, i] and biases[o] = sum_r delta[r, o]. `e` holds eps (LR)
 * or +-1 signs (ALR); the caller folds 1/(N K) and, for ALR, sqrt(pi/2) into `scale`.
 */
export interface LrGradProductArgs {
  loss: NumArray;
  e: NumArray;
  x: NumArray;
  sigma: NumArray;
  rows: number;
  outs: number;
  ins: number;
  scale: number;
}

/** Per-row softmax cross-entropy: loss[r] = logsumexp(logits[r, :]) - logits[r, labels[r]]. */
export interface SoftmaxCrossEntropyArgs {
  logits: NumArray;
  labels: Int32Array;
  rows: number;
  classes: number;
}

/** Row reduction: out[r] = sum_c x[r, c]. */
export interface RowSumArgs {
  x: NumArray;
  rows: number;
  cols: number;
}

/** SGD with momentum: v' = momentum * v + g; w' = w - lr * v'. */
export interface SgdUpdateArgs {
  w: NumArray;
  g: NumArray;
  v: NumArray;
  lr: number;
  momentum: number;
}

/** Adam (bias-corrected), step t >= 1: m' = b1 m + (1-b1) g, v' = b2 v + (1-b2) g^2, w' = w - lr mhat / (sqrt(vhat) + eps). */
export interface AdamUpdateArgs {
  w: NumArray;
  g: NumArray;
  m: NumArray;
  v: NumArray;
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  t: number;
}

/**
 * Batch normalisation with given statistics, layout [rows, channels, spatial]:
 * out = gamma[c] * (x - mean[c]) / sqrt(variance[c] + 1e-5) + beta[c]. The statistics are inputs
 * because every estimator treats them as constants taken from the clean pass (METHOD.md 7.3).
 */
export interface BatchnormArgs {
  x: NumArray;
  gamma: NumArray;
  beta: NumArray;
  mean: NumArray;
  variance: NumArray;
  rows: number;
  channels: number;
  spatial: number;
}

/** Pooling window over NCHW rows; either may pad: for max padded positions never win, for avg they are zeros (countIncludePad: divided by size^2, else by the in-bounds taps). */
export type PoolShape = PoolDims;

/** Max or average pooling, x [rows, channels, height, width] -> [rows, channels, oh, ow]. */
export interface PoolArgs {
  x: NumArray;
  op: 'max' | 'avg';
  dims: PoolShape;
}

/** BP through a pool: dy [rows, channels, oh, ow] -> dx [rows, channels, height, width]; max routes to the first maximum of x's window. */
export interface PoolBackwardArgs {
  dy: NumArray;
  /** The pool's input (read by max pooling only; ignored by avg). */
  x: NumArray;
  op: 'max' | 'avg';
  dims: PoolShape;
}

/** Elementwise a + b (residual add, and its backward: the two gradient branches summed). */
export interface AddArgs {
  a: NumArray;
  b: NumArray;
}

/** BP input gradient of conv2d: dy [batch, outChannels, oh, ow], weights [outChannels, inChannels, k, k] -> dx [batch, inChannels, height, width]. */
export interface Conv2dBackwardDataArgs {
  dy: NumArray;
  weights: NumArray;
  dims: ConvDims;
}

/**
 * Conv weight-gradient product in im2col form (METHOD.md 2.1): weights[o, c, u, v] =
 * sum_{n,p,q} dy[n, o, p, q] x[n, c, p*s+u-pad, q*s+v-pad], biases[o] = sum_{n,p,q} dy[n, o, p, q].
 * BP's conv gradient with dy = dL/dz, and the LR/ALR conv gradient product with dy = error signals.
 */
export interface Conv2dBackwardWeightsArgs {
  dy: NumArray;
  x: NumArray;
  dims: ConvDims;
}

/** Copy reduction: x [samples * copies, width] (copies of a sample adjacent) -> [samples, width], summing each sample's copies. */
export interface CopySumArgs {
  x: NumArray;
  samples: number;
  copies: number;
  width: number;
}

export interface KernelArgs extends StepOpArgs, TokenOpArgs {
  matmul: MatmulArgs;
  'matmul-at-b': MatmulArgs;
  'matmul-a-bt': MatmulArgs;
  conv2d: Conv2dArgs;
  'bias-activation': BiasActivationArgs;
  'activation-backward': ActivationBackwardArgs;
  'noise-inject': NoiseInjectArgs;
  'noise-inject-signs': NoiseInjectArgs;
  'sign-pack': SignPackArgs;
  'lr-grad-product': LrGradProductArgs;
  'softmax-cross-entropy': SoftmaxCrossEntropyArgs;
  'row-sum': RowSumArgs;
  'sgd-update': SgdUpdateArgs;
  'adam-update': AdamUpdateArgs;
  batchnorm: BatchnormArgs;
  pool: PoolArgs;
  'pool-backward': PoolBackwardArgs;
  add: AddArgs;
  'conv2d-backward-data': Conv2dBackwardDataArgs;
  'conv2d-backward-weights': Conv2dBackwardWeightsArgs;
  'copy-sum': CopySumArgs;
}

export interface KernelOutputs extends StepOpOutputs, TokenOpOutputs {
  matmul: NumArray;
  'matmul-at-b': NumArray;
  'matmul-a-bt': NumArray;
  conv2d: NumArray;
  'bias-activation': NumArray;
  'activation-backward': NumArray;
  'noise-inject': NumArray;
  /** ALR's fused NoiseInject + SignPack: noise-inject's result, and the signs of eps packed as sign-pack packs them. */
  'noise-inject-signs': { out: NumArray; signs: Uint32Array };
  'sign-pack': Uint32Array;
  'lr-grad-product': { weights: NumArray; biases: NumArray };
  'softmax-cross-entropy': NumArray;
  'row-sum': NumArray;
  'sgd-update': { w: NumArray; v: NumArray };
  'adam-update': { w: NumArray; m: NumArray; v: NumArray };
  batchnorm: NumArray;
  pool: NumArray;
  'pool-backward': NumArray;
  add: NumArray;
  'conv2d-backward-data': NumArray;
  'conv2d-backward-weights': { weights: NumArray; biases: NumArray };
  'copy-sum': NumArray;
}

/** One backend's implementation of every kernel; a missing entry is a type error. */
export type KernelTable = { [K in KernelName]: (args: KernelArgs[K]) => Promise<KernelOutputs[K]> };
