// The weight gradient of an NCHW convolution on tfjs-wasm as one matrix product: the input's
// patches written out by a JS loop over its wasm memory (tfjs-heap.ts) as cols [N OH OW, C k k]
// (row (n, r, q): the taps of output position (r, q) of image n, zeros where a tap falls in the
// padding), and dy^T [O, N OH OW] (one transpose of whole planes) times cols gives [O, C, k, k]
// directly. The other way (tfjs-graph-ops.ts) is a convolution with the batch as channels (dy as a
// [OH, OW, N, O] filter). In resnet5's BP step at N = 32 the product took the stem's gradient (3
// input channels) from 65.7 to 36.9 wall ms per step, the 32-channel layers' from 31.8 and 27.7 to
// 45.0 and 40.5 (their patch matrices are 9x dy's size): tfjs-graph-ops.ts picks it where a patch row
// (C k k) is no longer than O. Of the two orientations, dy^T times cols ran 3.8 ms of CPU for the stem
// against 10.3-11.3 for cols^T times dy (XNNPACK packs the right operand per call). Undefined off the
// wasm backend. Not a kernel.
import type * as TfCore from '@tensorflow/tfjs-core';
import type { ConvDims } from '../names.js';
import { heapMap } from './tfjs-heap.js';

type Tf = typeof TfCore;

/** Writes the patch rows of image n's output row r: for each output column, its C k k taps (zeros outside the input). */
function patchRows(
  out: Float32Array,
  x: Float32Array,
  d: ConvDims,
  ow: number,
  n: number,
  r: number,
  at: number,
): void {
  const { inChannels: cs, height: h, width: w, kernelSize: k, stride: s, padding: p } = d;
  for (let q = 0; q < ow; q++)
    for (let c = 0; c < cs; c++) {
      const plane = (n * cs + c) * h * w;
      for (let u = 0; u < k; u++) {
        const iy = r * s + u - p;
        for (let v = 0; v < k; v++, at++) {
          const ix = q * s + v - p;
          out[at] = iy >= 0 && iy < h && ix >= 0 && ix < w ? x[plane + iy * w + ix]! : 0;
        }
      }
    }
}

/** [weights [O, C, k, k], biases [O]] from NCHW dy [N, O, OH, OW] and x [N, C, H, W], or undefined off the wasm backend. */
export function convWeightGradByProduct(
  tf: Tf,
  dy: TfCore.Tensor4D,
  x: TfCore.Tensor4D,
  d: ConvDims,
): TfCore.Tensor[] | undefined {
  const [, o, oh, ow] = dy.shape;
  const taps = d.inChannels * d.kernelSize ** 2;
  const cols = heapMap(tf, [x], [d.batch * oh * ow, taps], (out, [xs]) => {
    for (let n = 0; n < d.batch; n++)
      for (let r = 0; r < oh; r++) patchRows(out, xs!, d, ow, n, r, (n * oh + r) * ow * taps);
  });
  if (!cols) return undefined;
  const dyByChannel = tf.reshape(tf.transpose(dy, [1, 0, 2, 3]), [o, d.batch * oh * ow]);
  const product = tf.matMul(dyByChannel, cols as TfCore.Tensor2D);
  return [tf.reshape(product, [o, d.inChannels, d.kernelSize, d.kernelSize]), tf.sum(dy, [0, 2, 3])];
}
