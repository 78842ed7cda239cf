// TF.js wasm versions of the graph executor's conv-net kernels (batchnorm with given statistics,
// pooling, add, copy reduction, the conv data gradient on TF.js's Conv2DBackpropInput and the weight
// gradient written as a convolution). Pool backward runs the float64 reference code, and the
// registry stamps those calls `reference` (tfjsFallback): TF.js wasm 4.22's MaxPoolGrad routes the
// gradient wrongly when a window's values are negative (measured: x = [-0.3, -0.7, -0.1, -0.9] in
// one 2x2 window sends dy to -0.3, not -0.1), and one kernel name cannot be half native.
// Tensors enter and leave through a TfjsIo (host arrays, or handles kept in TF.js: tfjs-io.ts).
import type * as TfCore from '@tensorflow/tfjs-core';
import type { ConvDims, KernelTable, NumArray } from '../names.js';
import { convDims } from '../reference/conv-dims.js';
import { referenceFallback } from '../registry-reference-graph.js';
import { batchnormEpsilon } from '../reference/batchnorm.js';
import { hostIo, type TfjsIo } from './tfjs-io.js';

type Tf = typeof TfCore;

export const tfjsFallback = referenceFallback(['pool-backward']);

export function tfjsGraphOps(
  tf: Tf,
  io: TfjsIo = hostIo(tf),
): Pick<KernelTable, 'batchnorm' | 'pool' | 'add' | 'copy-sum' | 'conv2d-backward-data' | 'conv2d-backward-weights'> {
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
        // NCHW in and out; TF.js pools NHWC.
        const nhwc = tf.transpose(io.tensor4d(x, [d.rows, d.channels, d.height, d.width]), [0, 2, 3, 1]);
        const pooled =
          op === 'max'
            ? tf.maxPool(nhwc, d.size, d.stride, d.padding ? d.padding : 'valid')
            : tf.avgPool(nhwc, d.size, d.stride, 'valid');
        return tf.transpose(pooled, [0, 3, 1, 2]);
      }),
    add: async ({ a, b }) => io.output(() => tf.add(io.tensor1d(a), io.tensor1d(b))),
    'copy-sum': async ({ x, samples, copies, width }) =>
      io.output(() => tf.sum(io.tensor3d(x, [samples, copies, width]), 1)),
    'conv2d-backward-data': async ({ dy, weights, dims: d }) =>
      io.output(() => {
        const dyt = tf.transpose(io.tensor4d(dy, [d.batch, d.outChannels, ...outSize(d)]), [0, 2, 3, 1]);
        const wt = tf.transpose(
          io.tensor4d(weights, [d.outChannels, d.inChannels, d.kernelSize, d.kernelSize]),
          [2, 3, 1, 0],
        );
        const shape: [number, number, number, number] = [d.batch, d.height, d.width, d.inChannels];
        return tf.transpose(tf.conv2dTranspose(dyt, wt, shape, d.stride, d.padding, 'floor'), [0, 3, 1, 2]);
      }),
    'conv2d-backward-weights': async ({ dy, x, dims: d }) => {
      const [weights, biases] = io.outputs(() =>
        convWeightGrad(
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

function outSize(d: ConvDims): [number, number] {
  const { outHeight, outWidth } = convDims('conv2d-backward-weights', d);
  return [outHeight, outWidth];
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
