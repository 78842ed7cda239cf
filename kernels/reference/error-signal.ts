// Float64 reference LR error signal (METHOD.md 2.1): delta[r, c, s] = scale * loss[r] * noise[r, c, s] / sigma[c],
// layout [rows, channels, spatial]. `noise` is eps for LR, or the +-1 signs (signUnpack) for ALR with
// scale sqrt(pi/2); `loss` is the (baseline-subtracted) loss of each row.
import { InvalidInputError } from '../../src/errors.js';
import { validate, validateDims } from './validate.js';

export function errorSignal(
  loss: Float64Array,
  noise: Float64Array,
  sigma: Float64Array,
  dims: { rows: number; channels: number; spatial: number },
  scale = 1,
): Float64Array {
  const { rows, channels, spatial } = dims;
  validateDims('errorSignal', dims);
  validate('errorSignal', 'loss', loss, rows, `[rows] = [${rows}]`);
  validate(
    'errorSignal',
    'noise',
    noise,
    rows * channels * spatial,
    `[rows, channels, spatial] = [${rows}, ${channels}, ${spatial}]`,
  );
  validate('errorSignal', 'sigma', sigma, channels, `[channels] = [${channels}]`);
  const bad = sigma.findIndex((s) => !(s > 0));
  if (bad >= 0) throw new InvalidInputError(`errorSignal: sigma[${bad}] = ${sigma[bad]}; allowed: > 0`);
  const delta = new Float64Array(noise.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < channels; c++) {
      const f = (scale * loss[r]!) / sigma[c]!;
      const base = (r * channels + c) * spatial;
      for (let s = 0; s < spatial; s++) delta[base + s] = f * noise[base + s]!;
    }
  }
  return delta;
}
