// Small element-wise helpers the graph executor does on the host between kernel calls (baselines
// over copies, the softmax gradient, antithetic pairs, row broadcast of copy-invariant tensors).
// Everything with a product or a large reduction runs as a kernel instead.
import type { NumArray } from '../../../kernels/names.js';

export type Baseline = 'none' | 'mean' | 'leave-one-out';

/**
 * Loss minus the per-sample baseline over its copies (METHOD.md 2.3). `copyMajor` rows are
 * k*samples + n (ES's grouped forward), otherwise n*copies + k (LR's folded rows).
 */
export function subtractBaseline(loss: NumArray, samples: number, copies: number, baseline: Baseline, copyMajor: boolean): Float64Array {
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

/** Antithetic pairs: odd rows become minus the even row before them (rng.ts's convention). */
export function makeAntithetic(eps: Float64Array, rows: number, cols: number): Float64Array {
  for (let r = 1; r < rows; r += 2) for (let c = 0; c < cols; c++) eps[r * cols + c] = -eps[(r - 1) * cols + c]!;
  return eps;
}

export { repeatRows } from '../../../kernels/reference/copy-rows.js';

/** d loss_mean / d logits for softmax cross-entropy averaged over rows. */
export function softmaxGradient(logits: NumArray, labels: Int32Array, rows: number, classes: number): Float64Array {
  const out = new Float64Array(rows * classes);
  for (let r = 0; r < rows; r++) {
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, logits[r * classes + c]!);
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += (out[r * classes + c] = Math.exp(logits[r * classes + c]! - max));
    for (let c = 0; c < classes; c++) out[r * classes + c] = (out[r * classes + c]! / sum - (labels[r] === c ? 1 : 0)) / rows;
  }
  return out;
}

export function mean(x: NumArray): number {
  let s = 0;
  for (const v of x) s += v;
  return s / x.length;
}
