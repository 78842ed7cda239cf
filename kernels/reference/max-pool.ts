// Float64 reference max pooling ([rows, channels, height, width]; padded positions never win). Also
// returns the flat input index of each maximum (first one on ties) so BP can route gradients without
// recomputing.
import { poolDims, type PoolDims } from './pool-dims.js';
import { validate } from './validate.js';

export function maxPool(x: Float64Array, d: PoolDims): { output: Float64Array; argmax: Int32Array } {
  const { outHeight: oh, outWidth: ow } = poolDims('maxPool', d);
  const { rows, channels, height: h, width: w, size, stride, padding = 0 } = d;
  validate(
    'maxPool',
    'x',
    x,
    rows * channels * h * w,
    `[rows, channels, height, width] = [${rows}, ${channels}, ${h}, ${w}]`,
  );
  const output = new Float64Array(rows * channels * oh * ow);
  const argmax = new Int32Array(output.length);
  for (let rc = 0; rc < rows * channels; rc++) {
    for (let p = 0; p < oh; p++) {
      for (let q = 0; q < ow; q++) {
        let best = -Infinity;
        let bestIndex = -1;
        for (let u = 0; u < size; u++) {
          const iy = p * stride + u - padding;
          if (iy < 0 || iy >= h) continue;
          for (let v = 0; v < size; v++) {
            const ix = q * stride + v - padding;
            if (ix < 0 || ix >= w) continue;
            const i = rc * h * w + iy * w + ix;
            if (x[i]! > best) {
              best = x[i]!;
              bestIndex = i;
            }
          }
        }
        const o = (rc * oh + p) * ow + q;
        output[o] = best;
        argmax[o] = bestIndex;
      }
    }
  }
  return { output, argmax };
}
