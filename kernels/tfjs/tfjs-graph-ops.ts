// TF.js wasm versions of the graph executor's conv-net kernels (batchnorm with given statistics,
// pooling, add, copy reduction, the conv data gradient as a forward convolution (tfjs-conv-backward.ts) and the weight
// gradient written as a convolution, pool backward on AvgPoolGrad and, for max, on window taps
// (maxPoolTaps)). None falls back to the reference code (tfjsFallback is empty).
// Tensors enter and leave through a TfjsIo (host arrays, or handles kept in TF.js: tfjs-io.ts).
import type * as TfCore from '@tensorflow/tfjs-core';
import type { ConvDims, KernelTable, NumArray, PoolBackwardArgs } from '../names.js';
import { poolDims } from '../reference/pool-dims.js';
import { convDims } from '../reference/conv-dims.js';
import { referenceFallback } from '../registry-reference-graph.js';
import { batchnormEpsilon } from '../reference/batchnorm.js';
import { hostIo, type TfjsIo } from './tfjs-io.js';
import { convWeightGradByProduct } from './tfjs-conv-weight-grad.js';
import { heapAvgPoolBackward, heapMaxPool, heapMaxPoolBackward } from './tfjs-heap-pool.js';
import { convDataGradient, dilateByStride, maxPoolTilesBackward, poolTiles } from './tfjs-conv-backward.js';

type Tf = typeof TfCore;

export const tfjsFallback = referenceFallback([]);

export function tfjsGraphOps(
  tf: Tf,
  io: TfjsIo = hostIo(tf),
): Pick<
  KernelTable,
  'batchnorm' | 'pool' | 'pool-backward' | 'add' | 'copy-sum' | 'conv2d-backward-data' | 'conv2d-backward-weights'
> {
  return {
    batchnorm: async ({ x, gamma, beta, mean, variance, rows, channels, spatial }) =>
      io.output(() => {
        const c = (a: NumArray): TfCore.Tensor3D => io.tensor3d(a, [1, channels, 1]);
        // Written out: tf.batchNorm broadcasts its statistics along the last axis only, not the channel axis of [rows, C, S].
        const scale = tf.div(c(gamma), tf.sqrt(tf.add(c(variance), batchnormEpsilon)));
        return tf.add(tf.mul(tf.sub(io.tensor3d(x, [rows, channels, spatial]), c(mean)), scale), c(beta));
      }),
    pool: async ({ x, op, dims: d }) =>
      io.output(() => {
        const xt = io.tensor4d(x, [d.rows, d.channels, d.height, d.width]);
        const { outHeight, outWidth } = poolDims('pool', d);
        const loop = op === 'max' ? heapMaxPool(tf, xt, d, outHeight, outWidth) : undefined;
        if (loop) return loop;
        // NCHW in and out; TF.js pools NHWC.
        const nhwc = tf.transpose(xt, [0, 2, 3, 1]);
        const pooled =
          op === 'max' ? tf.maxPool(nhwc, d.size, d.stride, d.padding ? d.padding : 'valid') : avgPadded(tf, nhwc, d);
        return tf.transpose(pooled, [0, 3, 1, 2]);
      }),
    add: async ({ a, b }) => io.output(() => tf.add(io.tensor1d(a), io.tensor1d(b))),
    'copy-sum': async ({ x, samples, copies, width }) =>
      io.output(() => tf.sum(io.tensor3d(x, [samples, copies, width]), 1)),
    'pool-backward': async (a) => io.output(() => poolBackward(tf, io, a)),
    'conv2d-backward-data': async ({ dy, weights, dims: d }) =>
      io.output(() => {
        const dyt = tf.transpose(io.tensor4d(dy, [d.batch, d.outChannels, ...outSize(d)]), [0, 2, 3, 1]);
        const wt = () =>
          tf.transpose(io.tensor4d(weights, [d.outChannels, d.inChannels, d.kernelSize, d.kernelSize]), [2, 3, 1, 0]);
        const shape: [number, number, number, number] = [d.batch, d.height, d.width, d.inChannels];
        const w = io.tensor4d(weights, [d.outChannels, d.inChannels, d.kernelSize, d.kernelSize]);
        const dx =
          convDataGradient(tf, dyt, w, d) ?? tf.conv2dTranspose(dyt, wt(), shape, d.stride, d.padding, 'floor');
        return tf.transpose(dx, [0, 3, 1, 2]);
      }),
    'conv2d-backward-weights': async ({ dy, x, dims: d }) => {
      const [weights, biases] = io.outputs(() =>
        weightGrad(
          tf,
          io.tensor4d(dy, [d.batch, d.outChannels, ...outSize(d)]),
          io.tensor4d(x, [d.batch, d.inChannels, d.height, d.width]),
          d,
        ),
      );
      return { weights: weights!, biases: biases! };
    },
  };
}

/**
 * Pool backward, NCHW in and out. Average: TF.js's AvgPoolGrad (it reads only x's shape; the runtime
 * passes no x) on the zero-padded input, dy first divided by the tap fraction unless countIncludePad,
 * the padding sliced off. Max: not TF.js wasm 4.22's MaxPoolGrad, which routes the gradient wrongly in windows
 * of negative values (x = [-0.3, -0.7, -0.1, -0.9] in one 2x2 window sends dy to -0.3): maxPoolTaps.
 */
function poolBackward(tf: Tf, io: TfjsIo, a: PoolBackwardArgs): TfCore.Tensor {
  const d = a.dims;
  const { outHeight, outWidth } = poolDims('pool-backward', d);
  const dyIn = io.tensor4d(a.dy, [d.rows, d.channels, outHeight, outWidth]);
  const nhwc = (t: TfCore.Tensor4D): TfCore.Tensor4D => tf.transpose(t, [0, 2, 3, 1]);
  if (a.op === 'max') {
    const xIn = io.tensor4d(a.x, [d.rows, d.channels, d.height, d.width]);
    const loop = heapMaxPoolBackward(tf, xIn, dyIn, d, outHeight, outWidth);
    if (loop) return loop;
    const [x, dy] = [nhwc(xIn), nhwc(dyIn)];
    const dx = poolTiles(d, outHeight, outWidth) ? maxPoolTilesBackward(tf, x, dy, d.size) : maxPoolTaps(tf, x, dy, d);
    return tf.transpose(dx, [0, 3, 1, 2]);
  }
  const loop = heapAvgPoolBackward(tf, dyIn, d, outHeight, outWidth);
  if (loop) return loop;
  const dy = nhwc(dyIn);
  const p = d.padding ?? 0;
  const input = tf.zeros([d.rows, d.height + 2 * p, d.width + 2 * p, d.channels]);
  const attrs = { filterSize: d.size, strides: d.stride, pad: 0, dimRoundingMode: 'floor' };
  const scaled = p > 0 && !d.countIncludePad ? tf.div(dy, tapFraction(tf, d)) : dy;
  const grad = tf.engine().runKernel('AvgPoolGrad', { dy: scaled, input }, attrs) as TfCore.Tensor4D;
  const inside = p > 0 ? tf.slice(grad, [0, p, p, 0], [d.rows, d.height, d.width, d.channels]) : grad;
  return tf.transpose(inside, [0, 3, 1, 2]);
}

/** NHWC zero padding of `d.padding` on both spatial axes. */
function padSpatial(tf: Tf, t: TfCore.Tensor4D, p: number): TfCore.Tensor4D {
  return tf.pad(t, [
    [0, 0],
    [p, p],
    [p, p],
    [0, 0],
  ]);
}

/** [1, oh, ow, 1]: each window's in-bounds taps over size^2 (the divisor of count_include_pad 0, scaled). */
function tapFraction(tf: Tf, d: PoolBackwardArgs['dims']): TfCore.Tensor4D {
  const ones = padSpatial(tf, tf.ones([1, d.height, d.width, 1]), d.padding ?? 0);
  return tf.avgPool(ones, d.size, d.stride, 'valid');
}

/** Average pooling of NHWC `x` with zero padding: over size^2 (countIncludePad) or over the in-bounds taps. */
function avgPadded(tf: Tf, x: TfCore.Tensor4D, d: PoolBackwardArgs['dims']): TfCore.Tensor4D {
  const p = d.padding ?? 0;
  if (p === 0) return tf.avgPool(x, d.size, d.stride, 'valid');
  const pooled = tf.avgPool(padSpatial(tf, x, p), d.size, d.stride, 'valid');
  return d.countIncludePad ? pooled : tf.div(pooled, tapFraction(tf, d));
}

/**
 * Max-pool backward on NHWC tensors as the reference defines it: each dy goes to the first maximum of
 * its window (row-major taps; padded positions, -Infinity here, never win). Per tap (u, v): the
 * strided view of the padded input, a mask of "equals the max and no earlier tap did", and dy under
 * that mask spread back to its input positions (interleaved with stride - 1 zeros, then shifted).
 */
function maxPoolTaps(tf: Tf, x: TfCore.Tensor4D, dy: TfCore.Tensor4D, d: PoolBackwardArgs['dims']): TfCore.Tensor {
  const { size: k, stride: s, padding: p = 0 } = d;
  const [n, oh, ow, c] = dy.shape;
  const ph = d.height + 2 * p;
  const pw = d.width + 2 * p;
  const xp = tf.pad(
    x,
    [
      [0, 0],
      [p, p],
      [p, p],
      [0, 0],
    ],
    -Infinity,
  );
  const view = (u: number, v: number): TfCore.Tensor =>
    tf.stridedSlice(xp, [0, u, v, 0], [n, u + s * (oh - 1) + 1, v + s * (ow - 1) + 1, c], [1, s, s, 1]);
  const taps = Array.from({ length: k * k }, (_, t) => view(Math.floor(t / k), t % k));
  const best = taps.reduce((m, t) => tf.maximum(m, t));
  let taken: TfCore.Tensor = tf.cast(tf.zerosLike(best), 'bool');
  let dx: TfCore.Tensor = tf.zeros([n, ph, pw, c]);
  taps.forEach((tap, t) => {
    const mask = tf.logicalAnd(tf.equal(tap, best), tf.logicalNot(taken));
    taken = tf.logicalOr(taken, mask);
    const g = tf.where(mask, dy, tf.zerosLike(dy));
    const spread = dilateByStride(tf, g, s);
    const u = Math.floor(t / k);
    const v = t % k;
    const placed = tf.slice(
      tf.pad(spread, [
        [0, 0],
        [u, Math.max(0, ph - u - oh * s)],
        [v, Math.max(0, pw - v - ow * s)],
        [0, 0],
      ]),
      [0, 0, 0, 0],
      [n, ph, pw, c],
    );
    dx = tf.add(dx, placed);
  });
  return tf.slice(dx, [0, p, p, 0], [n, d.height, d.width, c]);
}

function outSize(d: ConvDims): [number, number] {
  const { outHeight, outWidth } = convDims('conv2d-backward-weights', d);
  return [outHeight, outWidth];
}

/**
 * The weight gradient as one product of the input's patches and dy (tfjs-conv-weight-grad.ts) where a
 * patch row is no longer than the output channels (a stem: 3 x 3 x 3 taps against 32 channels), else
 * as a convolution with the batch as channels, which measured faster in a resnet5 step on the 32-channel layers.
 */
function weightGrad(tf: Tf, dy: TfCore.Tensor4D, x: TfCore.Tensor4D, d: ConvDims): TfCore.Tensor[] {
  const byProduct =
    d.inChannels * d.kernelSize ** 2 <= d.outChannels ? convWeightGradByProduct(tf, dy, x, d) : undefined;
  return byProduct ?? convWeightGrad(tf, dy, x, d);
}

/**
 * gW[o, c, u, v] = sum over (n, p, q) of dy[n, o, p, q] * xpad[n, c, p*s + u, q*s + v], which is itself
 * a convolution: the padded input as images [C, H, W] with the batch as channels, and dy as a filter
 * [OH, OW, N, O] dilated by the stride; its first k x k outputs are the gradient (TF.js wasm has no
 * Conv2DBackpropFilter kernel; this runs XNNPACK's conv, measured 1.5-3x faster than a matMul per
 * kernel tap). Biases: dy summed over n, p, q. Both NCHW in, [O, C, k, k] and [O] out.
 */
function convWeightGrad(tf: Tf, dy: TfCore.Tensor4D, x: TfCore.Tensor4D, d: ConvDims): TfCore.Tensor[] {
  const k = d.kernelSize;
  const images = tf.pad(tf.transpose(x, [1, 2, 3, 0]), [
    [0, 0],
    [d.padding, d.padding],
    [d.padding, d.padding],
    [0, 0],
  ]);
  const filter = tf.transpose(dy, [2, 3, 0, 1]);
  const taps = tf.conv2d(images, filter, 1, 'valid', 'NHWC', d.stride);
  return [
    tf.transpose(tf.slice(taps, [0, 0, 0, 0], [d.inChannels, k, k, d.outChannels]), [3, 0, 1, 2]),
    tf.sum(dy, [0, 2, 3]),
  ];
}
