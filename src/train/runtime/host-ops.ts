// Small element-wise helpers the graph executor does on the host between kernel calls (antithetic
// pairs, row broadcast of copy-invariant tensors, a mean). The loss baseline, the softmax gradient,
// learned sigma's gradient and BP through batchnorm are registered kernels (kernels/step-op-args.ts).
// Everything with a product or a large reduction runs as a kernel instead, except the LR fold's
// copy sum of error signals, fused here so ALR's packed sign bits are read without unpacking.
import type { NumArray } from '../../../kernels/names.js';

export type { Baseline } from '../../ir/types.js';

/** Antithetic pairs: odd rows become minus the even row before them (rng.ts's convention). */
export function makeAntithetic(eps: Float64Array, rows: number, cols: number): Float64Array {
  for (let r = 1; r < rows; r += 2) for (let c = 0; c < cols; c++) eps[r * cols + c] = -eps[(r - 1) * cols + c]!;
  return eps;
}

export { repeatRows } from '../../../kernels/reference/copy-rows.js';

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
  copies: number,
  scale: number,
): Float64Array {
  const { rows, channels, spatial } = dims;
  const width = channels * spatial;
  const samples = rows / copies;
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
