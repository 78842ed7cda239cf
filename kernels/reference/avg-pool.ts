// Float64 reference average pooling ([rows, channels, height, width]); padded taps add nothing, and the
// divisor is size^2 (countIncludePad) or the window's in-bounds taps (avgDivisor).
import { avgDivisor, poolDims, type PoolDims } from './pool-dims.js';
import { validate } from './validate.js';

export function avgPool(x: Float64Array, d: PoolDims): Float64Array {
  const { outHeight: oh, outWidth: ow } = poolDims('avgPool', d);
  const { rows, channels, height: h, width: w, size, stride, padding: pad = 0 } = d;
  validate(
    'avgPool',
    'x',
    x,
    rows * channels * h * w,
    `[rows, channels, height, width] = [${rows}, ${channels}, ${h}, ${w}]`,
  );
  const output = new Float64Array(rows * channels * oh * ow);
  for (let rc = 0; rc < rows * channels; rc++) {
    for (let p = 0; p < oh; p++) {
      for (let q = 0; q < ow; q++) {
        let acc = 0;
        for (let u = 0; u < size; u++) {
          const iy = p * stride + u - pad;
          if (iy < 0 || iy >= h) continue;
          for (let v = 0; v < size; v++) {
            const ix = q * stride + v - pad;
            if (ix >= 0 && ix < w) acc += x[rc * h * w + iy * w + ix]!;
          }
        }
        output[(rc * oh + p) * ow + q] = acc * (1 / avgDivisor(d, p, q));
      }
    }
  }
  return output;
}
