// Float64 reference average pooling ([rows, channels, height, width], no padding).
import { poolDims, type PoolDims } from './pool-dims.js';
import { validate } from './validate.js';

export function avgPool(x: Float64Array, d: PoolDims): Float64Array {
  const { outHeight: oh, outWidth: ow } = poolDims('avgPool', d, 'avg');
  const { rows, channels, height: h, width: w, size, stride } = d;
  validate(
    'avgPool',
    'x',
    x,
    rows * channels * h * w,
    `[rows, channels, height, width] = [${rows}, ${channels}, ${h}, ${w}]`,
  );
  const output = new Float64Array(rows * channels * oh * ow);
  const scale = 1 / (size * size);
  for (let rc = 0; rc < rows * channels; rc++) {
    for (let p = 0; p < oh; p++) {
      for (let q = 0; q < ow; q++) {
        let acc = 0;
        for (let u = 0; u < size; u++) {
          for (let v = 0; v < size; v++) acc += x[rc * h * w + (p * stride + u) * w + q * stride + v]!;
        }
        output[(rc * oh + p) * ow + q] = acc * scale;
      }
    }
  }
  return output;
}
