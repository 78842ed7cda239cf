// Float64 reference versions of the step's small ops (step-op-args.ts states each formula): BP
// through batchnorm, the loss baseline, the softmax gradient and learned sigma's gradient. They were
// the runtime's host code; the operations and their order are unchanged, so results are bit-identical.
import type {
  LossBaselineArgs,
  SigmaGradientArgs,
  SoftmaxGradientArgs,
  BatchnormBackwardArgs,
} from '../step-op-args.js';
import { batchnormEpsilon } from './batchnorm.js';

export function batchnormBackward({ dy, gamma, variance, channels, spatial }: BatchnormBackwardArgs): Float64Array {
  const c = (i: number): number => Math.floor(i / spatial) % channels;
  return Float64Array.from(dy, (g, i) => g * gamma[c(i)]! * (1 / Math.sqrt(variance[c(i)]! + batchnormEpsilon)));
}

export function lossBaseline({ loss, samples, copies, baseline, copyMajor }: LossBaselineArgs): Float64Array {
  const out = Float64Array.from(loss);
  if (baseline === 'none') return out;
  const at = (n: number, k: number): number => (copyMajor ? k * samples + n : n * copies + k);
  for (let n = 0; n < samples; n++) {
    let sum = 0;
    for (let k = 0; k < copies; k++) sum += loss[at(n, k)]!;
    for (let k = 0; k < copies; k++) {
      const own = loss[at(n, k)]!;
      const b = baseline === 'mean' ? sum / copies : copies > 1 ? (sum - own) / (copies - 1) : 0;
      out[at(n, k)] = own - b;
    }
  }
  return out;
}

export function softmaxGradient({ logits, labels, rows, classes }: SoftmaxGradientArgs): Float64Array {
  const out = new Float64Array(rows * classes);
  for (let r = 0; r < rows; r++) {
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, logits[r * classes + c]!);
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += out[r * classes + c] = Math.exp(logits[r * classes + c]! - max);
    for (let c = 0; c < classes; c++) {
      out[r * classes + c] = (out[r * classes + c]! / sum - (labels[r] === c ? 1 : 0)) / rows;
    }
  }
  return out;
}

export function sigmaGradient(a: SigmaGradientArgs): Float64Array {
  const { eps, loss, sigma, rows, channels, spatial, normaliser } = a;
  const g = new Float64Array(channels);
  const width = channels * spatial;
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < width; i++) g[Math.floor(i / spatial)]! += loss[r]! * (eps[r * width + i]! ** 2 - 1);
  }
  return g.map((v, c) => v / (sigma[c]! * normaliser));
}
