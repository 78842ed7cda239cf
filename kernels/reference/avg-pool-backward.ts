// Float64 reference average-pool backward (BP only): each output gradient is spread evenly over its window.
import { poolDims, type PoolDims } from './pool-dims.js';
import { validate } from './validate.js';

export function avgPoolBackward(dy: Float64Array, d: PoolDims): Float64Array {
  const { outHeight: oh, outWidth: ow } = poolDims('avgPoolBackward', d, 'avg');
  const { rows, channels, height: h, width: w, size, stride } = d;
  validate(
    'avgPoolBackward',
    'dy',
    dy,
    rows * channels * oh * ow,
    `[rows, channels, oh, ow] = [${rows}, ${channels}, ${oh}, ${ow}]`,
  );
  const dx = new Float64Array(rows * channels * h * w);
  const scale = 1 / (size * size);
  for (let rc = 0; rc < rows * channels; rc++) {
    for (let p = 0; p < oh; p++) {
      for (let q = 0; q < ow; q++) {
        const g = dy[(rc * oh + p) * ow + q]! * scale;
        for (let u = 0; u < size; u++) {
          for (let v = 0; v < size; v++) dx[rc * h * w + (p * stride + u) * w + q * stride + v]! += g;
        }
      }
    }
  }
  return dx;
}
