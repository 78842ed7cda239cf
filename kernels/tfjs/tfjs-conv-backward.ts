// Two BP kernels of tfjs-wasm's conv nets written on TF.js ops that run fast in its wasm backend,
// NHWC in and out (tfjs-graph-ops.ts transposes around them). The data gradient of a convolution as a
// forward convolution (XNNPACK) of dy, dilated by the stride and padded by k - 1 - padding, with the
// filter turned 180 degrees and its channels swapped: TF.js wasm's Conv2DBackpropInput is a plain
// loop (resnet5's 3x3, 32-channel, 16x16 layers at batch 32: about 3x the time of their forward).
// Max-pool backward for windows that tile the input (size = stride, no padding, the input a whole
// number of windows) on the input reshaped to its windows: one max, the first maximum of each window
// by the smallest tap index among its maxima (the reference's row-major first maximum), and dy under
// that mask, with no strided slice (TF.js wasm's reads the whole padded input per tap). Not a kernel.
import type * as TfCore from '@tensorflow/tfjs-core';
import type { ConvDims, PoolBackwardArgs } from '../names.js';

type Tf = typeof TfCore;

/** x (NHWC [n, h, w, c]) with stride - 1 zeros after each value along both spatial axes: [n, h * s, w * s, c]. */
export function dilateByStride(tf: Tf, x: TfCore.Tensor, s: number): TfCore.Tensor4D {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const zeros: Array<[number, number]> = [
    [0, 0],
    [0, 0],
    [0, s - 1],
    [0, 0],
    [0, s - 1],
    [0, 0],
  ];
  return tf.reshape(tf.pad(tf.reshape(x, [n, h, 1, w, 1, c]), zeros), [n, h * s, w * s, c]);
}

/**
 * dx (NHWC [batch, height, width, inChannels]) of a convolution from dy (NHWC [batch, oh, ow, out])
 * and weights [out, in, k, k], or undefined where the padding exceeds k - 1 (the caller's transpose
 * convolution then runs).
 */
export function convDataGradient(
  tf: Tf,
  dy: TfCore.Tensor4D,
  weights: TfCore.Tensor4D,
  d: ConvDims,
): TfCore.Tensor4D | undefined {
  const [k, s, p] = [d.kernelSize, d.stride, d.padding];
  const edge = k - 1 - p;
  if (edge < 0) return undefined;
  const [n, oh, ow, o] = dy.shape;
  const dilated = s === 1 ? dy : dilateByStride(tf, dy, s);
  // A valid convolution of a (height + k - 1) x (width + k - 1) input gives height x width.
  const [rows, cols] = [d.height + k - 1, d.width + k - 1];
  const padded = tf.pad(dilated, [
    [0, 0],
    [edge, Math.max(0, rows - edge - oh * s)],
    [edge, Math.max(0, cols - edge - ow * s)],
    [0, 0],
  ]);
  const input = padded.shape[1] === rows && padded.shape[2] === cols ? padded : tf.slice(padded, 0, [n, rows, cols, o]);
  // HWIO with in = out channels of the layer, out = its in channels, taps turned 180 degrees.
  const filter = tf.transpose(tf.reverse(weights, [2, 3]), [2, 3, 0, 1]);
  return tf.conv2d(input as TfCore.Tensor4D, filter as TfCore.Tensor4D, 1, 'valid');
}

/** Whether max-pool windows tile the input exactly (size = stride, no padding, whole windows). */
export function poolTiles(d: PoolBackwardArgs['dims'], outHeight: number, outWidth: number): boolean {
  const p = d.padding ?? 0;
  return p === 0 && d.size === d.stride && outHeight * d.size === d.height && outWidth * d.size === d.width;
}

/** Max-pool backward over tiling windows, NHWC x [n, h, w, c] and dy [n, oh, ow, c] -> dx [n, h, w, c]. */
export function maxPoolTilesBackward(tf: Tf, x: TfCore.Tensor4D, dy: TfCore.Tensor4D, size: number): TfCore.Tensor {
  const [n, oh, ow, c] = dy.shape;
  const windows = tf.reshape(x, [n, oh, size, ow, size, c]);
  const best = tf.max(windows, [2, 4], true);
  // Tap index u * size + v per window position; a tap that is not a maximum counts size^2 more.
  const tap = tf.reshape(tf.range(0, size * size, 1, 'float32'), [1, 1, size, 1, size, 1]);
  const notMax = tf.sub(tf.scalar(1), tf.cast(tf.equal(windows, best), 'float32'));
  const first = tf.min(tf.add(tap, tf.mul(notMax, tf.scalar(size * size))), [2, 4], true);
  const mask = tf.cast(tf.equal(tap, first), 'float32');
  return tf.reshape(tf.mul(mask, tf.reshape(dy, [n, oh, 1, ow, 1, c])), [n, oh * size, ow * size, c]);
}
