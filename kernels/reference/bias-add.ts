// Float64 reference bias add: out[r, c, s] = x[r, c, s] + bias[c], layout [rows, channels, spatial]
// (spatial = 1 for a linear layer's [rows, features], H*W for a conv output).
import { validate, validateDims } from './validate.js';

export function biasAdd(
  x: Float64Array,
  bias: Float64Array,
  rows: number,
  channels: number,
  spatial = 1,
): Float64Array {
  validateDims('biasAdd', { rows, channels, spatial });
  validate(
    'biasAdd',
    'x',
    x,
    rows * channels * spatial,
    `[rows, channels, spatial] = [${rows}, ${channels}, ${spatial}]`,
  );
  validate('biasAdd', 'bias', bias, channels, `[channels] = [${channels}]`);
  const out = new Float64Array(x.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < channels; c++) {
      const base = (r * channels + c) * spatial;
      const b = bias[c]!;
      for (let s = 0; s < spatial; s++) out[base + s] = x[base + s]! + b;
    }
  }
  return out;
}
