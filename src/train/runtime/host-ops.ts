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
 * is formed arithmetically: random bits would make a branch mispredict half the time. Each row's
 * factor is spread over its units first, so the inner loops are plain multiply-adds (a row of whole
 * sign words reads each word once).
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
  const out = new Float64Array((rows / copies) * width);
  if (sigma.every((v) => v === sigma[0]))
    return uniformCopySum(out, loss, noise, sigma[0]!, { rows, width, copies }, scale);
  const f = new Float64Array(width);
  for (let r = 0; r < rows; r++) {
    const sl = scale * loss[r]!;
    for (let c = 0, u = 0; c < channels; c++) {
      const fc = sl / sigma[c]!;
      for (let end = u + spatial; u < end; u++) f[u] = fc;
    }
    const o = Math.floor(r / copies) * width;
    if (!(noise instanceof Uint32Array)) addScaledRow(out, o, f, noise, r * width);
    else if ((r * width) % 32 === 0 && width % 32 === 0) addSignWords(out, o, f, noise, (r * width) >>> 5);
    else addSignBits(out, o, f, noise, r * width);
  }
  return out;
}

/**
 * errorCopySum where every unit has the same sigma (the runtime's fixed sigma): each row's factor is
 * one number, (scale * loss[r]) / sigma as the per-unit factors are, so the same products and sums
 * with one load less per value, and a loop per noise array type (one loop over a float32, float64 or
 * sign-word array ran 1.9-2.3 ms for the MLP's 4096 x 256 float32 eps; 1.4 ms typed).
 */
function uniformCopySum(
  out: Float64Array,
  loss: NumArray,
  noise: NumArray | Uint32Array,
  sigma: number,
  { rows, width, copies }: { rows: number; width: number; copies: number },
  scale: number,
): Float64Array {
  const factors = (n: number, fs: Float64Array): Float64Array => {
    for (let k = 0; k < copies; k++) fs[k] = (scale * loss[n * copies + k]!) / sigma;
    return fs;
  };
  const whole = rows % copies === 0;
  if (whole && noise instanceof Float32Array && width % 4 === 0)
    return copySum32(out, noise, factors, { rows, width, copies });
  if (whole && noise instanceof Uint32Array && width % 32 === 0)
    return copySumSigns(out, noise, factors, { rows, width, copies });
  for (let r = 0; r < rows; r++) {
    const f = (scale * loss[r]!) / sigma;
    const o = Math.floor(r / copies) * width;
    const at = r * width;
    if (noise instanceof Float32Array) addScaled32(out, o, f, noise, at, width);
    else if (!(noise instanceof Uint32Array)) addScaledAny(out, o, f, noise, at, width);
    else if (at % 32 === 0 && width % 32 === 0) addSignWordsBy(out, o, f, noise, at >>> 5, width);
    else
      for (let u = 0; u < width; u++) out[o + u]! += f * (((noise[(at + u) >>> 5]! >>> ((at + u) & 31)) & 1) * 2 - 1);
  }
  return out;
}

type Factors = (n: number, fs: Float64Array) => Float64Array;

/**
 * uniformCopySum over float32 eps, one sample at a time: four units' sums are kept in registers while
 * the sample's copies are added in order (k = 0, 1, ...), the same products and additions in the same
 * order as row by row, so the same bits, without loading and storing the output row for every copy
 * (MLP LR's 4096 x 256: 1.3-1.7 -> 0.44-0.56 ms of CPU alone).
 */
function copySum32(
  out: Float64Array,
  eps: Float32Array,
  factors: Factors,
  { rows, width, copies }: { rows: number; width: number; copies: number },
): Float64Array {
  const fs = new Float64Array(copies);
  for (let n = 0, o = 0; n < rows / copies; n++, o += width) {
    factors(n, fs);
    for (let u = 0; u < width; u += 4) {
      let [a0, a1, a2, a3] = [out[o + u]!, out[o + u + 1]!, out[o + u + 2]!, out[o + u + 3]!];
      for (let k = 0, at = n * copies * width + u; k < copies; k++, at += width) {
        const f = fs[k]!;
        a0 += f * eps[at]!;
        a1 += f * eps[at + 1]!;
        a2 += f * eps[at + 2]!;
        a3 += f * eps[at + 3]!;
      }
      [out[o + u], out[o + u + 1], out[o + u + 2], out[o + u + 3]] = [a0, a1, a2, a3];
    }
  }
  return out;
}

/**
 * copySum32 over packed signs (rows of whole words): eight units' sums in registers, f * (+-1) added
 * copy by copy in order, the same bits as row by row (MLP ALR's 4096 x 256: 1.1-1.7 -> 0.52-0.57 ms).
 */
function copySumSigns(
  out: Float64Array,
  bits: Uint32Array,
  factors: Factors,
  { rows, width, copies }: { rows: number; width: number; copies: number },
): Float64Array {
  const fs = new Float64Array(copies);
  const words = width >>> 5;
  for (let n = 0, o = 0; n < rows / copies; n++, o += width) {
    factors(n, fs);
    for (let u = 0; u < width; u += 8)
      signBlock(out, o + u, bits, fs, { first: n * copies * words + (u >>> 5), words, shift: u & 31 });
  }
  return out;
}

/** out[at .. at + 8) += fs[k] * (+-1) for copies k in order, the signs from bit `shift` of each copy's word. */
function signBlock(
  out: Float64Array,
  at: number,
  bits: Uint32Array,
  fs: Float64Array,
  { first, words, shift }: { first: number; words: number; shift: number },
): void {
  let [a0, a1, a2, a3, a4, a5, a6, a7] = [
    out[at]!,
    out[at + 1]!,
    out[at + 2]!,
    out[at + 3]!,
    out[at + 4]!,
    out[at + 5]!,
    out[at + 6]!,
    out[at + 7]!,
  ];
  for (let k = 0, word = first; k < fs.length; k++, word += words) {
    const f = fs[k]!;
    const b = bits[word]! >>> shift;
    a0 += f * ((b & 1) * 2 - 1);
    a1 += f * (((b >>> 1) & 1) * 2 - 1);
    a2 += f * (((b >>> 2) & 1) * 2 - 1);
    a3 += f * (((b >>> 3) & 1) * 2 - 1);
    a4 += f * (((b >>> 4) & 1) * 2 - 1);
    a5 += f * (((b >>> 5) & 1) * 2 - 1);
    a6 += f * (((b >>> 6) & 1) * 2 - 1);
    a7 += f * (((b >>> 7) & 1) * 2 - 1);
  }
  [out[at], out[at + 1], out[at + 2], out[at + 3], out[at + 4], out[at + 5], out[at + 6], out[at + 7]] = [
    a0,
    a1,
    a2,
    a3,
    a4,
    a5,
    a6,
    a7,
  ];
}

function addScaled32(out: Float64Array, o: number, f: number, noise: Float32Array, at: number, width: number): void {
  for (let u = 0; u < width; u++) out[o + u]! += f * noise[at + u]!;
}

function addScaledAny(out: Float64Array, o: number, f: number, noise: NumArray, at: number, width: number): void {
  for (let u = 0; u < width; u++) out[o + u]! += f * noise[at + u]!;
}

/** out[o + u] += f * (+-1) over a row of whole sign words starting at `word`. */
function addSignWordsBy(out: Float64Array, o: number, f: number, bits: Uint32Array, word: number, width: number): void {
  for (let w = 0; w < width; w += 32, word++) {
    const b = bits[word]!;
    for (let i = 0; i < 32; i++) out[o + w + i]! += f * (((b >>> i) & 1) * 2 - 1);
  }
}

/** out[o + u] += f[u] * noise[at + u] over one row of floats. */
function addScaledRow(out: Float64Array, o: number, f: Float64Array, noise: NumArray, at: number): void {
  for (let u = 0; u < f.length; u++) out[o + u]! += f[u]! * noise[at + u]!;
}

/** out[o + u] += f[u] * (+-1) for a row that starts at sign word `word` and fills whole words. */
function addSignWords(out: Float64Array, o: number, f: Float64Array, bits: Uint32Array, word: number): void {
  for (let w = 0; w < f.length; w += 32, word++) {
    const b = bits[word]!;
    for (let i = 0; i < 32; i++) out[o + w + i]! += f[w + i]! * (((b >>> i) & 1) * 2 - 1);
  }
}

/** addSignWords for a row that starts anywhere in a word: each unit's bit found by its element index. */
function addSignBits(out: Float64Array, o: number, f: Float64Array, bits: Uint32Array, at: number): void {
  for (let u = 0; u < f.length; u++) {
    const i = at + u;
    out[o + u]! += f[u]! * (((bits[i >>> 5]! >>> (i & 31)) & 1) * 2 - 1);
  }
}

/**
 * errorSignal(loss, signUnpack(bits), sigma, dims, scale) without the unpacked float64 copy of the signs:
 * delta[r, c, s] = (scale * loss[r]) / sigma[c] * (+-1), formed as errorSignal forms it, so bit-identical
 * (f * (+-1) is exact). The caller checks loss and sigma (errorSignal's own checks name bad values).
 * `reuse`, an array of the same length whose values are no longer read, is written over instead of a fresh
 * one (resnet5's ALR signals are 16.7M values a layer; a fresh array's zeroing cost 5x the loop).
 */
export function signErrorSignal(
  loss: NumArray,
  bits: Uint32Array,
  sigma: NumArray,
  dims: { rows: number; channels: number; spatial: number },
  scale: number,
  reuse?: Float64Array,
): Float64Array {
  const { rows, channels, spatial } = dims;
  const length = rows * channels * spatial;
  const delta = reuse?.length === length ? reuse : new Float64Array(length);
  if (bits.length !== Math.ceil(delta.length / 32))
    throw new Error(`signErrorSignal: ${bits.length} sign words for ${delta.length} values`);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < channels; c++) {
      const base = (r * channels + c) * spatial;
      signedRun(delta, bits, (scale * loss[r]!) / sigma[c]!, base, base + spatial);
    }
  }
  return delta;
}

/** delta[i] = f * (+-1) for i in [from, to), one sign word read per 32 values. */
function signedRun(delta: Float64Array, bits: Uint32Array, f: number, from: number, to: number): void {
  let i = from;
  while (i < to) {
    const stop = Math.min(to, (i | 31) + 1);
    for (let w = bits[i >>> 5]! >>> (i & 31); i < stop; i++, w >>>= 1) delta[i] = f * ((w & 1) * 2 - 1);
  }
}
