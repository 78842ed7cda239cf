// Float64 reference batch normalisation, layout [rows, channels, spatial]: per-channel statistics over
// rows and spatial positions, then y = gamma * (x - mean) / sqrt(variance + epsilon) + beta.
// Statistics are treated as constants by every gradient in alrflow (METHOD.md 7.3): pass `stats`
// to reuse statistics computed elsewhere (e.g. from the clean rows), otherwise they come from x.
import { validate, validateDims } from './validate.js';

export interface BatchnormStats {
  mean: Float64Array;
  variance: Float64Array;
}

export interface BatchnormResult {
  output: Float64Array;
  /** (x - mean) / sqrt(variance + epsilon): the local Jacobian of the output w.r.t. gamma. */
  normalized: Float64Array;
  stats: BatchnormStats;
}

export const batchnormEpsilon = 1e-5;

function statsOf(x: Float32Array | Float64Array, rows: number, channels: number, spatial: number): BatchnormStats {
  const mean = new Float64Array(channels);
  const variance = new Float64Array(channels);
  const count = rows * spatial;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < channels; c++) {
      for (let s = 0; s < spatial; s++) mean[c]! += x[(r * channels + c) * spatial + s]! / count;
    }
  }
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < channels; c++) {
      for (let s = 0; s < spatial; s++) variance[c]! += (x[(r * channels + c) * spatial + s]! - mean[c]!) ** 2 / count;
    }
  }
  return { mean, variance };
}

/**
 * The statistics batchnorm computes from x, without its outputs and without a float64 copy of a float32 x
 * (each float32 value read as the float64 it widens to: the same sums, the same bits). x is validated
 * as batchnorm validates it when a statistic is not finite (a non-finite value names itself there).
 */
export function batchnormStatistics(
  x: Float32Array | Float64Array,
  dims: { rows: number; channels: number; spatial: number },
): BatchnormStats {
  const { rows, channels, spatial } = dims;
  validateDims('batchnorm', dims);
  const shape = `[rows, channels, spatial] = [${rows}, ${channels}, ${spatial}]`;
  if (x.length !== rows * channels * spatial) validate('batchnorm', 'x', x, rows * channels * spatial, shape);
  const stats = statsOf(x, rows, channels, spatial);
  const finite = stats.mean.every(Number.isFinite) && stats.variance.every(Number.isFinite);
  if (!finite) validate('batchnorm', 'x', Float64Array.from(x), rows * channels * spatial, shape);
  return stats;
}

export function batchnorm(
  x: Float64Array,
  gamma: Float64Array,
  beta: Float64Array,
  dims: { rows: number; channels: number; spatial: number },
  stats?: BatchnormStats,
): BatchnormResult {
  const { rows, channels, spatial } = dims;
  validateDims('batchnorm', dims);
  validate(
    'batchnorm',
    'x',
    x,
    rows * channels * spatial,
    `[rows, channels, spatial] = [${rows}, ${channels}, ${spatial}]`,
  );
  validate('batchnorm', 'gamma', gamma, channels, `[channels] = [${channels}]`);
  validate('batchnorm', 'beta', beta, channels, `[channels] = [${channels}]`);
  if (stats) {
    validate('batchnorm', 'stats.mean', stats.mean, channels, `[channels] = [${channels}]`);
    validate('batchnorm', 'stats.variance', stats.variance, channels, `[channels] = [${channels}]`);
  }
  const used = stats ?? statsOf(x, rows, channels, spatial);
  const normalized = new Float64Array(x.length);
  const output = new Float64Array(x.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < channels; c++) {
      const inv = 1 / Math.sqrt(used.variance[c]! + batchnormEpsilon);
      for (let s = 0; s < spatial; s++) {
        const i = (r * channels + c) * spatial + s;
        normalized[i] = (x[i]! - used.mean[c]!) * inv;
        output[i] = gamma[c]! * normalized[i]! + beta[c]!;
      }
    }
  }
  return { output, normalized, stats: used };
}
