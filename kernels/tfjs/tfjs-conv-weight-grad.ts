// The weight gradient of an NCHW convolution on tfjs-wasm as one matrix product: the input's
// patches written out by a JS loop over its wasm memory (tfjs-heap.ts) as colsT [C k k, N OH OW]
// (row (c, u, v): tap (u, v) of channel c at every output position, zeros where the tap falls in the
// padding), times dy as [N OH OW, O] (one NCHW -> NHWC transpose), then turned to [O, C, k, k]. The
// other way (tfjs-graph-ops.ts) is a convolution with the batch as channels (dy as a [OH, OW, N, O]
// filter). In resnet5's BP step at N = 32 (per-node wall ms, 20 steps, loaded machine) the product
// took the stem's gradient (3 input channels) from 65.7 to 36.9 ms, but the 32-channel layers' from
// 31.8 and 27.7 to 45.0 and 40.5 (their patch matrices are 9x dy's size): tfjs-graph-ops.ts picks it
// where a patch row (C k k) is no longer than O. Undefined off the wasm backend. Not a kernel.
import type * as TfCore from '@tensorflow/tfjs-core';
import type { ConvDims } from '../names.js';
import { heapMap } from './tfjs-heap.js';

type Tf = typeof TfCore;

/** Writes row (c, u, v) of colsT: for each image and output row, the taps at stride s, zeros outside the input. */
function patchRow(out: Float32Array, x: Float32Array, d: ConvDims, oh: number, ow: number, cuv: number[]): void {
  const [c, u, v] = cuv as [number, number, number];
  const { batch, inChannels, height: h, width: w, kernelSize: k, stride: s, padding: p } = d;
  const plane = oh * ow;
  // Output columns q whose input column q s + v - p is inside [0, w).
  const q0 = Math.min(ow, Math.max(0, Math.ceil((p - v) / s)));
  const q1 = Math.max(q0, Math.min(ow, Math.floor((w - 1 + p - v) / s) + 1));
  let o = ((c * k + u) * k + v) * batch * plane;
  for (let n = 0; n < batch; n++) {
    const src = (n * inChannels + c) * h * w;
    for (let r = 0; r < oh; r++, o += ow) {
      const iy = r * s + u - p;
      if (iy < 0 || iy >= h) {
        out.fill(0, o, o + ow);
        continue;
      }
      out.fill(0, o, o + q0);
      const at = src + iy * w + v - p;
      for (let q = q0; q < q1; q++) out[o + q] = x[at + q * s]!;
      out.fill(0, o + q1, o + ow);
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
  const k = d.kernelSize;
  const rows = d.inChannels * k * k;
  const cols = heapMap(tf, [x], [rows, d.batch * oh * ow], (out, [xs]) => {
    for (let c = 0; c < d.inChannels; c++)
      for (let u = 0; u < k; u++) for (let v = 0; v < k; v++) patchRow(out, xs!, d, oh, ow, [c, u, v]);
  });
  if (!cols) return undefined;
  const dyRows = tf.reshape(tf.transpose(dy, [0, 2, 3, 1]), [d.batch * oh * ow, o]);
  const product = tf.matMul(cols as TfCore.Tensor2D, dyRows);
  return [tf.reshape(tf.transpose(product), [o, d.inChannels, k, k]), tf.sum(dy, [0, 2, 3])];
}
