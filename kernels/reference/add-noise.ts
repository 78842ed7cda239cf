// Float64 reference noise injection on a pre-activation: out[r, c, s] = z[r, c, s] + sigma[c] * eps[r, c, s],
// layout [rows, channels, spatial] (sigma per output neuron, or per output channel for conv; METHOD.md 1.2).
import { InvalidInputError } from '../../src/errors.js';
import { validate, validateDims } from './validate.js';

export function addNoise(
  z: Float64Array,
  eps: Float64Array,
  sigma: Float64Array,
  rows: number,
  channels: number,
  spatial = 1,
): Float64Array {
  validateDims('addNoise', { rows, channels, spatial });
  const layout = `[rows, channels, spatial] = [${rows}, ${channels}, ${spatial}]`;
  validate('addNoise', 'z', z, rows * channels * spatial, layout);
  validate('addNoise', 'eps', eps, rows * channels * spatial, layout);
  validate('addNoise', 'sigma', sigma, channels, `[channels] = [${channels}]`);
  const bad = sigma.findIndex((s) => !(s > 0));
  if (bad >= 0)
    throw new InvalidInputError(
      `addNoise: sigma[${bad}] = ${sigma[bad]}; allowed: > 0. Hint: use a small positive sigma such as 0.1`,
    );
  const out = new Float64Array(z.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < channels; c++) {
      const base = (r * channels + c) * spatial;
      const s = sigma[c]!;
      for (let k = 0; k < spatial; k++) out[base + k] = z[base + k]! + s * eps[base + k]!;
    }
  }
  return out;
}
