// Float64 forward and BP of the token-sequence layers (src/models/transformer-layers.ts) for the
// oracle: LayerNorm (per token, exact gradient: its statistics are the sample's own, not batch
// constants), multi-head softmax attention, the class token, the position embedding, the tokens view
// and the two poolings. Rows are samples; one sample is [tokens, features] row-major.
import type { Shape } from '../models/layers.js';
import { layerNormEpsilonOf, type TokenLayer, type TokenParamLayer } from '../models/transformer-layers.js';
import type { LayerGradient, LayerParams } from './types.js';

/** Per token: (x - mean) / sqrt(var + epsilon) over `features` values, times gamma plus beta; xhat and 1/sigma kept. */
export function layerNorm(x: Float64Array, p: LayerParams, features: number, epsilon: number) {
  const out = new Float64Array(x.length);
  const xhat = new Float64Array(x.length);
  const inv = new Float64Array(x.length / features);
  for (let r = 0; r < inv.length; r++) {
    const row = x.subarray(r * features, (r + 1) * features);
    const mean = row.reduce((a, b) => a + b, 0) / features;
    const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / features;
    inv[r] = 1 / Math.sqrt(variance + epsilon);
    for (let f = 0; f < features; f++) {
      const i = r * features + f;
      xhat[i] = (x[i]! - mean) * inv[r]!;
      out[i] = p.weights[f]! * xhat[i]! + p.biases[f]!;
    }
  }
  return { out, xhat, inv };
}

/** dx of LayerNorm, and its gamma and beta gradients (summed over every token of every row). */
export function layerNormBackward(
  x: Float64Array,
  dy: Float64Array,
  p: LayerParams,
  features: number,
  epsilon: number,
) {
  const { xhat, inv } = layerNorm(x, p, features, epsilon);
  const dx = new Float64Array(x.length);
  const grad: LayerGradient = { weights: new Float64Array(features), biases: new Float64Array(features) };
  for (let r = 0; r < inv.length; r++) {
    let mean = 0;
    let meanXhat = 0;
    for (let f = 0; f < features; f++) {
      const i = r * features + f;
      const g = dy[i]! * p.weights[f]!;
      mean += g / features;
      meanXhat += (g * xhat[i]!) / features;
      grad.weights[f]! += dy[i]! * xhat[i]!;
      grad.biases[f]! += dy[i]!;
    }
    for (let f = 0; f < features; f++) {
      const i = r * features + f;
      dx[i] = inv[r]! * (dy[i]! * p.weights[f]! - mean - xhat[i]! * meanXhat);
    }
  }
  return { dx, grad };
}

interface AttentionDims {
  rows: number;
  tokens: number;
  width: number;
  heads: number;
  causal: boolean;
}

/** The softmax probabilities of one row and head ([tokens, tokens]) and the output [rows, tokens, width]. */
export function attention(qkv: Float64Array, o: AttentionDims) {
  const { rows, tokens: T, width: F, heads: H } = o;
  const d = F / H;
  const scale = 1 / Math.sqrt(d);
  const at = (r: number, t: number, part: number, h: number, j: number) =>
    qkv[(r * T + t) * 3 * F + part * F + h * d + j]!;
  const out = new Float64Array(rows * T * F);
  const probabilities = new Float64Array(rows * H * T * T);
  for (let r = 0; r < rows; r++)
    for (let h = 0; h < H; h++)
      for (let i = 0; i < T; i++) {
        const p = probabilities.subarray(((r * H + h) * T + i) * T, ((r * H + h) * T + i + 1) * T);
        const last = o.causal ? i : T - 1;
        for (let j = 0; j <= last; j++) {
          let s = 0;
          for (let c = 0; c < d; c++) s += at(r, i, 0, h, c) * at(r, j, 1, h, c);
          p[j] = s * scale;
        }
        const max = Math.max(...p.subarray(0, last + 1));
        let sum = 0;
        for (let j = 0; j <= last; j++) sum += p[j] = Math.exp(p[j]! - max);
        for (let j = 0; j <= last; j++) p[j]! /= sum;
        for (let c = 0; c < d; c++) {
          let v = 0;
          for (let j = 0; j <= last; j++) v += p[j]! * at(r, j, 2, h, c);
          out[(r * T + i) * F + h * d + c] = v;
        }
      }
  return { out, probabilities };
}

/** d(Q | K | V) of attention from d out. */
export function attentionBackward(qkv: Float64Array, dOut: Float64Array, o: AttentionDims): Float64Array {
  const { rows, tokens: T, width: F, heads: H } = o;
  const d = F / H;
  const scale = 1 / Math.sqrt(d);
  const { probabilities } = attention(qkv, o);
  const index = (r: number, t: number, part: number, h: number, c: number) =>
    (r * T + t) * 3 * F + part * F + h * d + c;
  const dqkv = new Float64Array(qkv.length);
  for (let r = 0; r < rows; r++)
    for (let h = 0; h < H; h++)
      for (let i = 0; i < T; i++) {
        const p = probabilities.subarray(((r * H + h) * T + i) * T, ((r * H + h) * T + i + 1) * T);
        const dO = (c: number) => dOut[(r * T + i) * F + h * d + c]!;
        const dp = new Float64Array(T);
        for (let j = 0; j < T; j++)
          for (let c = 0; c < d; c++) {
            dp[j]! += dO(c) * qkv[index(r, j, 2, h, c)]!;
            dqkv[index(r, j, 2, h, c)]! += p[j]! * dO(c);
          }
        const dot = p.reduce((s, v, j) => s + v * dp[j]!, 0);
        for (let j = 0; j < T; j++) {
          const ds = p[j]! * (dp[j]! - dot) * scale;
          for (let c = 0; c < d; c++) {
            dqkv[index(r, i, 0, h, c)]! += ds * qkv[index(r, j, 1, h, c)]!;
            dqkv[index(r, j, 1, h, c)]! += ds * qkv[index(r, i, 0, h, c)]!;
          }
        }
      }
  return dqkv;
}

type FreeLayer = Extract<TokenLayer, { kind: 'attention' | 'tokens' | 'class-pool' | 'mean-pool' }>;

/** Forward of a token layer without parameters. */
export function tokenForward(layer: FreeLayer, x: Float64Array, shape: Shape, rows: number): Float64Array {
  const [a, b] = shape as [number, number];
  switch (layer.kind) {
    case 'attention':
      return attention(x, { rows, tokens: a, width: b / 3, heads: layer.heads, causal: layer.causal }).out;
    case 'tokens':
      return transposeRows(x, rows, a, x.length / rows / a);
    case 'class-pool':
      return Float64Array.from({ length: rows * b }, (_, i) => x[Math.floor(i / b) * a * b + (i % b)]!);
    case 'mean-pool':
      return Float64Array.from({ length: rows * b }, (_, i) => {
        let s = 0;
        for (let t = 0; t < a; t++) s += x[Math.floor(i / b) * a * b + t * b + (i % b)]!;
        return s / a;
      });
    default:
      return layer satisfies never;
  }
}

/** BP through a token layer without parameters: dx from dy and its kept input. */
export function tokenBackward(layer: FreeLayer, x: Float64Array, shape: Shape, rows: number, dy: Float64Array) {
  const [a, b] = shape as [number, number];
  switch (layer.kind) {
    case 'attention':
      return attentionBackward(x, dy, { rows, tokens: a, width: b / 3, heads: layer.heads, causal: layer.causal });
    case 'tokens':
      return transposeRows(dy, rows, x.length / rows / a, a);
    case 'class-pool':
    case 'mean-pool':
      return Float64Array.from({ length: x.length }, (_, i) => {
        const [r, t, f] = [Math.floor(i / (a * b)), Math.floor(i / b) % a, i % b];
        if (layer.kind === 'mean-pool') return dy[r * b + f]! / a;
        return t === 0 ? dy[r * b + f]! : 0;
      });
    default:
      return layer satisfies never;
  }
}

/** Per row, [p, q] to [q, p]. */
function transposeRows(x: Float64Array, rows: number, p: number, q: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let r = 0; r < rows; r++)
    for (let i = 0; i < p; i++) for (let j = 0; j < q; j++) out[r * p * q + j * p + i] = x[r * p * q + i * q + j]!;
  return out;
}

/**
 * The parameter gradient of a LayerNorm, class token or position embedding from dL/d(its output) `dy`
 * over `rows` rows (unnormalised sums): LayerNorm's sums of dy * xhat and dy per feature over every
 * token, the class token's sum of token 0's, the position table's sum over rows.
 */
export function tokenParamGradient(
  layer: TokenParamLayer,
  x: Float64Array,
  dy: Float64Array,
  rows: number,
): LayerGradient {
  if (layer.kind === 'layernorm') {
    const features = layer.features;
    const unit = { weights: new Float64Array(features).fill(1), biases: new Float64Array(features) };
    return layerNormBackward(x, dy, unit, features, layerNormEpsilonOf(layer)).grad;
  }
  const width = dy.length / rows;
  const size = layer.kind === 'class-token' ? layer.features : width;
  const weights = new Float64Array(size);
  for (let r = 0; r < rows; r++) for (let i = 0; i < size; i++) weights[i]! += dy[r * width + i]!;
  return { weights, biases: new Float64Array(0) };
}
