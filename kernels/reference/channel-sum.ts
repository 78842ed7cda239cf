// Float64 reference per-channel sum over rows and spatial positions, layout [rows, channels, spatial]:
// the bias gradient of BP (from dOut) and of LR/ALR (from error signals), before any 1/rows scaling.
import { validate, validateDims } from './validate.js';

export function channelSum(x: Float64Array, rows: number, channels: number, spatial = 1): Float64Array {
  validateDims('channelSum', { rows, channels, spatial });
  validate(
    'channelSum',
    'x',
    x,
    rows * channels * spatial,
    `[rows, channels, spatial] = [${rows}, ${channels}, ${spatial}]`,
  );
  const out = new Float64Array(channels);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < channels; c++) {
      const base = (r * channels + c) * spatial;
      let acc = 0;
      for (let s = 0; s < spatial; s++) acc += x[base + s]!;
      out[c]! += acc;
    }
  }
  return out;
}
