// Float64 reference average-pool backward (BP only): each output gradient, over its window's divisor
// (avgDivisor), goes to every in-bounds tap of the window.
import { avgDivisor, poolDims, type PoolDims } from './pool-dims.js';
import { validate } from './validate.js';

export function avgPoolBackward(dy: Float64Array, d: PoolDims): Float64Array {
  const { outHeight: oh, outWidth: ow } = poolDims('avgPoolBackward', d);
  const { rows, channels, height: h, width: w, size, stride, padding: pad = 0 } = d;
  validate(
    'avgPoolBackward',
    'dy',
    dy,
    rows * channels * oh * ow,
    `[rows, channels, oh, ow] = [${rows}, ${channels}, ${oh}, ${ow}]`,
  );
  const dx = new Float64Array(rows * channels * h * w);
  for (let rc = 0; rc < rows * channels; rc++) {
    for (let p = 0; p < oh; p++) {
      for (let q = 0; q < ow; q++) {
        const g = dy[(rc * oh + p) * ow + q]! * (1 / avgDivisor(d, p, q));
        for (let u = 0; u < size; u++) {
          const iy = p * stride + u - pad;
          if (iy < 0 || iy >= h) continue;
          for (let v = 0; v < size; v++) {
            const ix = q * stride + v - pad;
            if (ix >= 0 && ix < w) dx[rc * h * w + iy * w + ix]! += g;
          }
        }
      }
    }
  }
  return dx;
}
