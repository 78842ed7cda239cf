// Float64 reference LR gradient product for a linear layer (METHOD.md 2.1): from error signals
// delta [rows, out] and stored layer inputs x [rows, in], gW = delta^T x / normaliser [out, in] and
// gb = colsum(delta) / normaliser [out]. The same product is BP's weight gradient with delta = dL/dz.
// The normaliser is N*K for LR (defaults to rows); the first-layer trick passes summed signals on N rows
// with normaliser N*K. Conv layers use conv2dWeightGrad + channelSum instead.
import { InvalidInputError } from '../../src/errors.js';
import { validate, validateDims } from './validate.js';

export function lrGradient(
  delta: Float64Array,
  x: Float64Array,
  rows: number,
  outFeatures: number,
  inFeatures: number,
  normaliser = rows,
): { weights: Float64Array; biases: Float64Array } {
  validateDims('lrGradient', { rows, outFeatures, inFeatures });
  validate('lrGradient', 'delta', delta, rows * outFeatures, `[rows, outFeatures] = [${rows}, ${outFeatures}]`);
  validate('lrGradient', 'x', x, rows * inFeatures, `[rows, inFeatures] = [${rows}, ${inFeatures}]`);
  if (!(normaliser > 0) || !Number.isFinite(normaliser)) {
    throw new InvalidInputError(`lrGradient: normaliser = ${normaliser}; allowed: a finite number > 0`);
  }
  const weights = new Float64Array(outFeatures * inFeatures);
  const biases = new Float64Array(outFeatures);
  const inv = 1 / normaliser;
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < outFeatures; o++) {
      const d = delta[r * outFeatures + o]! * inv;
      if (d === 0) continue;
      biases[o]! += d;
      const wBase = o * inFeatures;
      const xBase = r * inFeatures;
      for (let i = 0; i < inFeatures; i++) weights[wBase + i]! += d * x[xBase + i]!;
    }
  }
  return { weights, biases };
}
