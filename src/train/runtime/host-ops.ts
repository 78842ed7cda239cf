// Small element-wise and reshaping helpers the runtime does on the host between kernel calls
// (row replication for copies, baselines over copies, softmax gradient, activation derivatives).
// Everything with a reduction over a large dimension or a product runs as a kernel instead.
import type { NumArray } from '../../../kernels/names.js';

export type Baseline = 'none' | 'mean' | 'leave-one-out';

export function toF64(a: NumArray): Float64Array {
  return a instanceof Float64Array ? a : Float64Array.from(a);
}

/** [n, width] -> [n*copies, width] with the copies of one sample adjacent (row = sample*copies + copy). */
export function replicateRows(x: NumArray, n: number, width: number, copies: number): Float64Array {
  const out = new Float64Array(n * copies * width);
  for (let s = 0; s < n; s++) {
    const src = x.subarray(s * width, (s + 1) * width);
    for (let k = 0; k < copies; k++) out.set(src, (s * copies + k) * width);
  }
  return out;
}

/** Loss minus the per-sample baseline over its copies (METHOD.md 2.3). */
export function subtractBaseline(loss: NumArray, samples: number, copies: number, baseline: Baseline): Float64Array {
  const out = Float64Array.from(loss);
  if (baseline === 'none') return out;
  for (let s = 0; s < samples; s++) {
    let sum = 0;
    for (let k = 0; k < copies; k++) sum += loss[s * copies + k]!;
    for (let k = 0; k < copies; k++) {
      const own = loss[s * copies + k]!;
      const b = baseline === 'mean' ? sum / copies : copies > 1 ? (sum - own) / (copies - 1) : 0;
      out[s * copies + k] = own - b;
    }
  }
  return out;
}

/** z += sigma[c] * eps (z and eps [rows, cols]); returns z. */
export function addScaledNoise(z: Float64Array, eps: NumArray, sigma: NumArray, rows: number, cols: number): Float64Array {
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) z[r * cols + c]! += sigma[c]! * eps[r * cols + c]!;
  return z;
}

/** Antithetic pairs: odd rows become minus the even row before them. */
export function makeAntithetic(eps: Float64Array, rows: number, cols: number): Float64Array {
  for (let r = 1; r < rows; r += 2) for (let c = 0; c < cols; c++) eps[r * cols + c] = -eps[(r - 1) * cols + c]!;
  return eps;
}

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

/** dz = da * act'(z), computed from the activation output a (relu: a > 0; tanh: 1 - a^2). */
export function activationBackward(da: NumArray, a: NumArray, activation: 'none' | 'relu' | 'tanh'): Float64Array {
  const out = Float64Array.from(da);
  if (activation === 'relu') for (let i = 0; i < out.length; i++) out[i] = a[i]! > 0 ? out[i]! : 0;
  if (activation === 'tanh') for (let i = 0; i < out.length; i++) out[i]! *= 1 - a[i]! * a[i]!;
  return out;
}

/** Column sums of [rows, cols]. */
export function columnSums(x: NumArray, rows: number, cols: number): Float64Array {
  const out = new Float64Array(cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c]! += x[r * cols + c]!;
  return out;
}

export function mean(x: NumArray): number {
  let s = 0;
  for (const v of x) s += v;
  return s / x.length;
}
