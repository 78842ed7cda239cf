// Float64 reference of the token-sequence kernels (token-op-args.ts): LayerNorm per row with its
// exact backward and parameter gradient, batched matrix products, the scaled and optionally causal
// row softmax with its backward, and the gather by index map. The oracle every backend's parity
// test compares against; arguments are checked by the registry (registry-checks-token.ts).
import type {
  BatchMatmulArgs,
  GatherArgs,
  LayernormArgs,
  LayernormBackwardArgs,
  LayernormGradArgs,
  SoftmaxRowsArgs,
  SoftmaxRowsBackwardArgs,
} from '../token-op-args.js';

type Num = Float32Array | Float64Array;

/** Per row: xhat = (x - mean) / sqrt(var + eps), and 1 / sqrt(var + eps). */
export function layerNormStats(
  x: Num,
  rows: number,
  features: number,
  epsilon: number,
): { xhat: Float64Array; inv: Float64Array } {
  const xhat = new Float64Array(rows * features);
  const inv = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const base = r * features;
    let mean = 0;
    for (let f = 0; f < features; f++) mean += x[base + f]!;
    mean /= features;
    let variance = 0;
    for (let f = 0; f < features; f++) variance += (x[base + f]! - mean) ** 2;
    inv[r] = 1 / Math.sqrt(variance / features + epsilon);
    for (let f = 0; f < features; f++) xhat[base + f] = (x[base + f]! - mean) * inv[r]!;
  }
  return { xhat, inv };
}

export function layerNorm({ x, gamma, beta, rows, features, epsilon }: LayernormArgs): Float64Array {
  const { xhat } = layerNormStats(x, rows, features, epsilon);
  return xhat.map((v, i) => gamma[i % features]! * v + beta[i % features]!);
}

export function layerNormBackward({ dy, x, gamma, rows, features, epsilon }: LayernormBackwardArgs): Float64Array {
  const { xhat, inv } = layerNormStats(x, rows, features, epsilon);
  const dx = new Float64Array(rows * features);
  for (let r = 0; r < rows; r++) {
    const base = r * features;
    let mean = 0;
    let meanXhat = 0;
    for (let f = 0; f < features; f++) {
      const g = dy[base + f]! * gamma[f]!;
      mean += g / features;
      meanXhat += (g * xhat[base + f]!) / features;
    }
    for (let f = 0; f < features; f++)
      dx[base + f] = inv[r]! * (dy[base + f]! * gamma[f]! - mean - xhat[base + f]! * meanXhat);
  }
  return dx;
}

export function layerNormGrad({ dy, x, rows, features, epsilon }: LayernormGradArgs): {
  weights: Float64Array;
  biases: Float64Array;
} {
  const { xhat } = layerNormStats(x, rows, features, epsilon);
  const weights = new Float64Array(features);
  const biases = new Float64Array(features);
  for (let i = 0; i < rows * features; i++) {
    weights[i % features]! += dy[i]! * xhat[i]!;
    biases[i % features]! += dy[i]!;
  }
  return { weights, biases };
}

export function batchMatmul({ a, b, groups, m, k, n, transpose }: BatchMatmulArgs): Float64Array {
  const out = new Float64Array(groups * m * n);
  const at = transpose === 'a' ? (i: number, p: number) => p * m + i : (i: number, p: number) => i * k + p;
  const bt = transpose === 'b' ? (p: number, j: number) => j * k + p : (p: number, j: number) => p * n + j;
  for (let g = 0; g < groups; g++) {
    const [ao, bo, oo] = [g * m * k, g * k * n, g * m * n];
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += a[ao + at(i, p)]! * b[bo + bt(p, j)]!;
        out[oo + i * n + j] = s;
      }
  }
  return out;
}

export function softmaxRows({ x, rows, width, scale, causal }: SoftmaxRowsArgs): Float64Array {
  const out = new Float64Array(rows * width);
  for (let r = 0; r < rows; r++) {
    const base = r * width;
    const last = causal ? r % width : width - 1;
    let max = -Infinity;
    for (let j = 0; j <= last; j++) max = Math.max(max, scale * x[base + j]!);
    let sum = 0;
    for (let j = 0; j <= last; j++) sum += out[base + j] = Math.exp(scale * x[base + j]! - max);
    for (let j = 0; j <= last; j++) out[base + j]! /= sum;
  }
  return out;
}

export function softmaxRowsBackward({ dy, p, rows, width, scale }: SoftmaxRowsBackwardArgs): Float64Array {
  const dx = new Float64Array(rows * width);
  for (let r = 0; r < rows; r++) {
    const base = r * width;
    let dot = 0;
    for (let j = 0; j < width; j++) dot += p[base + j]! * dy[base + j]!;
    for (let j = 0; j < width; j++) dx[base + j] = scale * p[base + j]! * (dy[base + j]! - dot);
  }
  return dx;
}

export function gather({ x, index, scale }: GatherArgs): Float64Array {
  return Float64Array.from(index, (i) => (i < 0 ? 0 : scale * x[i]!));
}
