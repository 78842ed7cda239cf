// What a training step needs of a device beyond the registry's kernels so that its state can stay
// there between steps (parameters, optimizer state, gradients, ALR's sign words): slices and joins
// of flat buffers, a sum and a count of non-finite values (one small readback per step carries
// the loss and the divergence check), and ALR's sign words and error signals formed on the device.
// Backends with device handles implement it (gpu.js GPU modes, gpujs-device-ops.ts; tfjs-wasm,
// tfjs-device-ops.ts, for steps without noise); elsewhere the runtime keeps its state on the host. Not a kernel.
import type { DeviceTensor, Resident } from './device-tensor.js';
import type { Activation, ConvDims, NoiseInjectArgs } from './names.js';

/** The counters of a noise-inject call (what its eps is drawn from). */
export type NoiseCounters = Omit<NoiseInjectArgs, 'z' | 'sigma'>;

/** The signs of a noisy layer's eps on the device: 16 bits per float (sign-pack's bit order). */
export interface SignWords {
  halves: DeviceTensor;
  /** Signs held (rows x channels x spatial). */
  count: number;
}

/** A tensor's layout as [rows, channels, spatial]. */
export interface ChannelDims {
  rows: number;
  channels: number;
  spatial: number;
}

/** Softmax cross-entropy's arguments with the labels already on the device (floats holding the integers). */
export interface DeviceLossArgs {
  logits: Resident;
  labels: DeviceTensor;
  rows: number;
  classes: number;
}

export interface BatchnormParamGradientArgs extends ChannelDims {
  dy: Resident;
  /** The layer's input. */
  x: Resident;
  /** Per channel means, then variances ([2 * channels]). */
  stats: Resident;
  scale: number;
}

export interface SignErrorSignalArgs {
  signs: SignWords;
  /** One loss per row. */
  loss: Resident;
  /** Per channel. */
  sigma: Resident;
  rows: number;
  channels: number;
  spatial: number;
  scale: number;
}

/**
 * Which resident steps the operations cover: every one ('all'), or steps that draw no noise
 * ('no-noise': tfjs-wasm draws noise on the host, so its LR, ALR and ES steps keep their state there).
 */
export type DeviceOpsCover = 'all' | 'no-noise';

/**
 * A forward pass over K perturbed parameter copies ([K, P] copy-major, ES/AES): copy g reads its
 * parameters at g * P and writes output rows g * rows .. g * rows + rows - 1.
 */
export interface CopyLayout {
  copies: number;
  /** Output rows (samples, or images) of one copy. */
  rows: number;
  /** Values of one parameter copy (P). */
  width: number;
  /** Every copy reads the same input rows (the input holds one copy's rows), else copy g reads rows g * rows ... */
  shared: boolean;
}

export interface BiasActivationCopiesArgs extends CopyLayout {
  channels: number;
  spatial: number;
  /** Where a copy's biases start (after its weights). */
  offset: number;
  activation: Activation;
}

export type BatchnormCopiesArgs = Omit<BiasActivationCopiesArgs, 'activation'>;

export interface DeviceOps {
  readonly covers: DeviceOpsCover;
  /** x[start .. start + length - 1] as a buffer of its own. */
  slice(x: Resident, start: number, length: number): Promise<DeviceTensor>;
  /** The buffers one after another. */
  concat(parts: readonly Resident[]): Promise<DeviceTensor>;
  /** x's `rows` rows each repeated `copies` times in place (row n becomes rows n*copies .. n*copies + copies - 1). */
  repeatRows(x: Resident, rows: number, copies: number): Promise<DeviceTensor>;
  /** x times `factor`. */
  scale(x: Resident, factor: number): Promise<DeviceTensor>;
  /** max(x, floor) per value (learned sigma's floor after its update). */
  atLeast(x: Resident, floor: number): Promise<DeviceTensor>;
  /** `length` values, each `value`, made on the device (nothing is uploaded). */
  fill(length: number, value: number): Promise<DeviceTensor>;
  /** Per channel means, then variances, over rows and positions ([2 * channels]; the reference's two passes). */
  channelStats(x: Resident, dims: ChannelDims): Promise<DeviceTensor>;
  /** Batch-norm scale and shift gradients: scale * (per channel sums of dy * x-hat, then of dy). */
  batchnormParamGradient(a: BatchnormParamGradientArgs): Promise<DeviceTensor>;
  /** Per channel sums of a * b, then of a (scaled): LayerNorm's scale and shift gradients from dy and x-hat. */
  productSums(a: Resident, b: Resident, dims: ChannelDims, scale: number): Promise<DeviceTensor>;
  /** The registry's gather (scale * x[index[i]], 0 where the index is -1) reading an index map kept on the device. */
  gather(x: Resident, index: DeviceTensor, scale: number): Promise<DeviceTensor>;
  /** Per-row softmax cross-entropy (the registry's kernel) reading labels kept on the device. */
  crossEntropy(a: DeviceLossArgs): Promise<DeviceTensor>;
  /** d loss / d logits (softmax-gradient) reading labels kept on the device. */
  crossEntropyGradient(a: DeviceLossArgs): Promise<DeviceTensor>;
  /** One float: the sum of x. */
  sum(x: Resident): Promise<DeviceTensor>;
  /**
   * One float: 0 where every value of x is finite, else positive: how many values are NaN, infinite or
   * of magnitude 3e38 and more (gpu.js), or 1 (tfjs-wasm: one pass of x * 0, NaN if any value is not finite).
   */
  nonFinite(x: Resident): Promise<DeviceTensor>;
  /** ALR's kept signs of a noise-inject call's eps, drawn on the device and left there. */
  signWords(a: NoiseCounters): Promise<SignWords>;
  /** delta[r, c, s] = scale * loss[r] * sign(eps[r, c, s]) / sigma[c] (METHOD.md 2.1 with sign bits). */
  signErrorSignal(a: SignErrorSignalArgs): Promise<DeviceTensor>;
  /** Per copy g, x_g W_g^T: a dense forward over K parameter copies (weights [outs, ins] at each copy's start). */
  matmulCopies(x: Resident, params: Resident, a: CopyLayout & { ins: number; outs: number }): Promise<DeviceTensor>;
  /** bias-activation with each copy's biases. */
  biasActivationCopies(z: Resident, params: Resident, a: BiasActivationCopiesArgs): Promise<DeviceTensor>;
  /** batchnorm with each copy's gamma (at its start) and beta (at offset), statistics shared. */
  batchnormCopies(
    x: Resident,
    params: Resident,
    stats: { mean: Resident; variance: Resident },
    a: BatchnormCopiesArgs,
  ): Promise<DeviceTensor>;
  /** conv2d with each copy's weights (dims.batch images per copy). */
  conv2dCopies(x: Resident, params: Resident, a: CopyLayout & { dims: ConvDims }): Promise<DeviceTensor>;
  /** layernorm of each row (features values) with its copy's gamma (at its start) and beta (after gamma). */
  layernormCopies(
    x: Resident,
    params: Resident,
    a: CopyLayout & { features: number; epsilon: number },
  ): Promise<DeviceTensor>;
  /** Each copy's class token (its parameters) before each of its rows' tokens - 1 tokens of features values. */
  classTokenCopies(
    x: Resident,
    params: Resident,
    a: CopyLayout & { tokens: number; features: number },
  ): Promise<DeviceTensor>;
  /** x's rows (of x.length / rows values) with every odd row the negated row before it (antithetic pairs). */
  antithetic(x: Resident, rows: number): Promise<DeviceTensor>;
  /** The signs of x (1 for >= 0, sign-pack's rule) as sign words on the device. */
  packSigns(x: Resident): Promise<SignWords>;
  /** delta[r, c, s] = scale * loss[r] * eps[r, c, s] / sigma[c] (METHOD.md 2.1, LR's float noise). */
  errorSignal(a: Omit<SignErrorSignalArgs, 'signs'> & { eps: Resident }): Promise<DeviceTensor>;
}
