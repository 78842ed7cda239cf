// Small element-wise helpers the graph executor does on the host between kernel calls (baselines
// over copies, the softmax gradient, antithetic pairs, row broadcast of copy-invariant tensors, the
// learned-sigma gradient's per-channel sum).
// Everything with a product or a large reduction runs as a kernel instead, except the LR fold's
// copy sum of error signals, fused here so ALR's packed sign bits are read without unpacking.
import type { NumArray } from '../../../kernels/names.js';
import type { Baseline } from '../../ir/types.js';

export type { Baseline } from '../../ir/types.js';

/**
 * Loss minus the per-sample baseline over its copies (METHOD.md 2.3). `copyMajor` rows are
 * k*samples + n (ES's grouped forward), otherwise n*copies + k (LR's folded rows).
 */
export function subtractBaseline(
  loss: NumArray,
  samples: number,
  copies: number,
  baseline: Baseline,
  copyMajor: boolean,
): Float64Array {
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

/**
 * Learned sigma's gradient (METHOD.md 2.1): per channel c, the sum over rows r and spatial positions
 * of loss[r] * (eps^2 - 1) / sigma_c, divided by `normaliser`. eps is rows x channels x spatial.
 */
export function sigmaGradientSum(
  eps: NumArray,
  loss: NumArray,
  sigma: NumArray,
  dims: { rows: number; channels: number; spatial: number },
  normaliser: number,
): Float64Array {
  const g = new Float64Array(dims.channels);
  const width = dims.channels * dims.spatial;
  for (let r = 0; r < dims.rows; r++) {
    for (let i = 0; i < width; i++) g[Math.floor(i / dims.spatial)]! += loss[r]! * (eps[r * width + i]! ** 2 - 1);
  }
  return g.map((v, c) => v / (sigma[c]! * normaliser));
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
    for (let c = 0; c < classes; c++) sum += out[r * classes + c] = Math.exp(logits[r * classes + c]! - max);
    for (let c = 0; c < classes; c++) {
      out[r * classes + c] = (out[r * classes + c]! / sum - (labels[r] === c ? 1 : 0)) / rows;
    }
  }
  return out;
}

export function mean(x: NumArray): number {
  let s = 0;
  for (const v of x) s += v;
  return s / x.length;
}

/**
 * The LR fold's error signals summed over each sample's copies without materialising them:
 * out[n, c, s] = sum_k (scale * loss[nK+k]) / sigma[c] * noise[nK+k, c, s], where noise is eps
 * (floats) or +-1 read straight from packed sign bits (bit 1 = +1, as signUnpack). Same operations
 * in the same order as errorSignal followed by copySum, so the result is bit-identical to them
 * (f * (+-1) is exact); it only skips the N*K x units delta array and the sign unpacking. The sign
 * is formed arithmetically: random bits would make a branch mispredict half the time.
 */
export function errorCopySum(
  loss: NumArray,
  noise: NumArray | Uint32Array,
  sigma: NumArray,
  dims: { rows: number; channels: number; spatial: number },
  samples: number,
  scale: number,
): Float64Array {
  const { rows, channels, spatial } = dims;
  const width = channels * spatial;
  const copies = rows / samples;
  const out = new Float64Array(samples * width);
  const bits = noise instanceof Uint32Array ? noise : null;
  const uniform = sigma.every((v) => v === sigma[0]);
  const f = new Float64Array(channels);
  for (let r = 0; r < rows; r++) {
    const sl = scale * loss[r]!;
    if (uniform) f.fill(sl / sigma[0]!);
    else for (let c = 0; c < channels; c++) f[c] = sl / sigma[c]!;
    const o = Math.floor(r / copies) * width;
    for (let c = 0, u = 0; c < channels; c++) {
      const fc = f[c]!;
      for (let end = u + spatial; u < end; u++) {
        const i = r * width + u;
        out[o + u]! += fc * (bits === null ? noise[i]! : ((bits[i >>> 5]! >>> (i & 31)) & 1) * 2 - 1);
      }
    }
  }
  return out;
}
