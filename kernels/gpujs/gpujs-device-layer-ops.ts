// The device operations a resident conv or batch-norm step adds (kernels/device-ops.ts), as gpu.js
// pipeline kernels whose results stay on the device: a scale, a floor, a fill made on the device, batch-norm
// statistics and parameter gradients, LayerNorm's parameter sums, and the gather and loss kernels reading index maps and labels kept on the device (one
// upload per run or step instead of one per call). Not a registry kernel.
import type { BatchnormParamGradientArgs, ChannelDims, DeviceLossArgs, DeviceOps } from '../device-ops.js';
import type { DeviceTensor, Resident, ResidentArgs } from '../device-tensor.js';
import { batchnormEpsilon } from '../reference/batchnorm.js';
import { f32, type Flat, type Launcher, type ThreadThis } from './gpujs-context.js';
import { gather } from './gather.js';
import { softmaxCrossEntropy } from './softmax-cross-entropy.js';
import { softmaxGradient } from './softmax-gradient.js';

function scaleBody(this: ThreadThis, x: Flat, factor: number): number {
  return x[this.thread.x]! * factor;
}

function atLeastBody(this: ThreadThis, x: Flat, floor: number): number {
  return Math.max(x[this.thread.x]!, floor);
}

function fillBody(this: ThreadThis, value: number): number {
  return value + 0 * this.thread.x;
}

/** Thread c < channels: channel c's mean; thread channels + c: its (biased) variance about that mean. */
function channelStatsBody(this: ThreadThis, x: Flat): number {
  const count = this.constants.rows * this.constants.spatial;
  let c = this.thread.x;
  if (c >= this.constants.channels) c = c - this.constants.channels;
  let mean = 0;
  for (let r = 0; r < this.constants.rows; r++) {
    for (let s = 0; s < this.constants.spatial; s++)
      mean += x[(r * this.constants.channels + c) * this.constants.spatial + s]!;
  }
  mean = mean / count;
  if (this.thread.x < this.constants.channels) return mean;
  let variance = 0;
  for (let r = 0; r < this.constants.rows; r++) {
    for (let s = 0; s < this.constants.spatial; s++) {
      const d = x[(r * this.constants.channels + c) * this.constants.spatial + s]! - mean;
      variance += d * d;
    }
  }
  return variance / count;
}

/** Thread c < channels: sum of dy * x-hat over channel c; thread channels + c: sum of dy. Times scale. */
function batchnormParamGradientBody(
  this: ThreadThis,
  dy: Flat,
  x: Flat,
  stats: Flat,
  scale: number,
  eps: number,
): number {
  let c = this.thread.x;
  let shift = 0;
  if (c >= this.constants.channels) {
    c = c - this.constants.channels;
    shift = 1;
  }
  const mean = stats[c]!;
  const inv = 1 / Math.sqrt(stats[this.constants.channels + c]! + eps);
  let sum = 0;
  for (let r = 0; r < this.constants.rows; r++) {
    for (let s = 0; s < this.constants.spatial; s++) {
      const i = (r * this.constants.channels + c) * this.constants.spatial + s;
      if (shift > 0) sum += dy[i]!;
      else sum += dy[i]! * ((x[i]! - mean) * inv);
    }
  }
  return sum * scale;
}

/** Thread c < channels: sum of a * b over channel c; thread channels + c: sum of a. Times scale. */
function productSumsBody(this: ThreadThis, a: Flat, b: Flat, scale: number): number {
  let c = this.thread.x;
  let plain = 0;
  if (c >= this.constants.channels) {
    c = c - this.constants.channels;
    plain = 1;
  }
  let sum = 0;
  for (let r = 0; r < this.constants.rows; r++) {
    for (let s = 0; s < this.constants.spatial; s++) {
      const i = (r * this.constants.channels + c) * this.constants.spatial + s;
      if (plain > 0) sum += a[i]!;
      else sum += a[i]! * b[i]!;
    }
  }
  return sum * scale;
}

type LayerOps = Pick<
  DeviceOps,
  | 'scale'
  | 'atLeast'
  | 'fill'
  | 'channelStats'
  | 'batchnormParamGradient'
  | 'productSums'
  | 'gather'
  | 'crossEntropy'
  | 'crossEntropyGradient'
>;

const channelSpec = (d: ChannelDims) => ({
  output: [2 * d.channels],
  constants: { rows: d.rows, channels: d.channels, spatial: d.spatial },
});

/** The loss kernels' arguments with the device labels passed where the registry types host integers. */
const lossArgs = (a: DeviceLossArgs) => a as unknown as ResidentArgs<'softmax-cross-entropy'>;

export function gpujsLayerOps(gpu: Launcher<DeviceTensor>): LayerOps {
  return {
    scale: (x: Resident, factor: number) =>
      gpu.call(gpu.kernel('scale', scaleBody, { output: [x.length], constants: {} }), f32(x), factor),
    atLeast: (x: Resident, floor: number) =>
      gpu.call(gpu.kernel('at-least', atLeastBody, { output: [x.length], constants: {} }), f32(x), floor),
    fill: (length: number, value: number) =>
      gpu.call(gpu.kernel('fill', fillBody, { output: [length], constants: {} }), value),
    channelStats: (x, dims) => gpu.call(gpu.kernel('channel-stats', channelStatsBody, channelSpec(dims)), f32(x)),
    batchnormParamGradient: (a: BatchnormParamGradientArgs) =>
      gpu.call(
        gpu.kernel('batchnorm-param-gradient', batchnormParamGradientBody, channelSpec(a)),
        f32(a.dy),
        f32(a.x),
        f32(a.stats),
        a.scale,
        batchnormEpsilon,
      ),
    productSums: (a, b, dims, scale) =>
      gpu.call(gpu.kernel('product-sums', productSumsBody, channelSpec(dims)), f32(a), f32(b), scale),
    gather: (x, index, scale) => gather(gpu, { x, index, scale } as unknown as ResidentArgs<'gather'>),
    crossEntropy: (a) => softmaxCrossEntropy(gpu, lossArgs(a)),
    crossEntropyGradient: (a) => softmaxGradient(gpu, lossArgs(a)),
  };
}
