// The one forward pass every estimator uses: runs a network on the float64 reference kernels over
// `rows` rows, optionally injecting noise on the output of each parametrised layer (sigma * eps, eps
// from a callback; on a token sequence on every (token, feature) value) and keeping what the chosen
// method needs (BP: inputs of parametrised, activation and maxpool layers; LR/ALR: inputs of
// parametrised layers, stored on one row per sample while no noise has been injected yet, because
// then every copy's input is identical). Batchnorm statistics are computed here (or reused frozen
// from `bnStats`) and always treated as constants (METHOD.md 7.3).
import {
  activation,
  avgPool,
  batchnorm,
  biasAdd,
  conv2d,
  addNoise,
  matmul,
  maxPool,
  transpose,
  type BatchnormStats,
} from '../../kernels/reference/index.js';
import {
  elementCount,
  isActivationLayer,
  poolWindow,
  type ActivationLayer,
  type Layer,
  type Network,
  type ParamLayer,
  type Shape,
} from '../models/layers.js';
import { layerOutputShape } from '../models/shapes.js';
import { layerNormEpsilonOf } from '../models/transformer-layers.js';
import type { LayerParams, Params } from './types.js';
import { layerNorm, tokenForward } from './token-ops.js';
import { convDimsOf } from '../../kernels/reference/conv-dims.js';

export type TraceEntry =
  | {
      kind: 'param';
      layer: ParamLayer;
      index: number;
      input: Float64Array;
      inputShape: Shape;
      rows: number;
      copyInvariant: boolean;
    }
  | {
      kind: 'activation';
      layer: ActivationLayer | Extract<Layer, { kind: 'maxpool' }>;
      input: Float64Array;
      inputShape: Shape;
    }
  | { kind: 'shape-only'; layer: Extract<Layer, { kind: 'avgpool' | 'flatten' }>; inputShape: Shape }
  | { kind: 'residual'; layer: Extract<Layer, { kind: 'residual' }>; body: TraceEntry[]; shortcut: TraceEntry[] }
  | { kind: 'token'; layer: FreeTokenLayer; input: Float64Array; inputShape: Shape };

type FreeTokenLayer = Extract<Layer, { kind: 'attention' | 'tokens' | 'class-pool' | 'mean-pool' }>;

export type NoiseCallback = (layer: ParamLayer, index: number, rows: number, units: number) => Float64Array | undefined;

export interface ForwardOptions {
  network: Network;
  params: Params;
  /** [rows, ...inputShape] row-major. */
  input: Float64Array;
  rows: number;
  /** Copies per sample (rows are sample-major); inputs not yet touched by noise are kept on rows/copies rows. */
  copies?: number;
  sigma?: Map<string, Float64Array>;
  noise?: NoiseCallback;
  /** Frozen batchnorm statistics by layer name; missing ones are computed from this pass and recorded. */
  bnStats?: Map<string, BatchnormStats>;
  keep: 'bp' | 'param-inputs' | 'none';
  /** With 'param-inputs': keep only the inputs of these parametrised-layer indices (default: all). */
  keepOnly?: ReadonlySet<number>;
}

export interface ForwardResult {
  logits: Float64Array;
  trace: TraceEntry[];
  bnStats: Map<string, BatchnormStats>;
}

interface Context extends ForwardOptions {
  paramIndex: number;
  noisy: boolean;
  stats: Map<string, BatchnormStats>;
}

/** Channels and spatial size of a per-sample shape ([F] -> F x 1, [C, H, W] -> C x H*W). */
export function channelsSpatial(shape: Shape): { channels: number; spatial: number } {
  return { channels: shape[0] ?? 1, spatial: shape.length > 1 ? elementCount(shape.slice(1)) : 1 };
}

/** Every copy-th row starting at row 0: one row per sample of a sample-major buffer. */
export function firstCopies(x: Float64Array, rows: number, copies: number): Float64Array {
  const width = x.length / rows;
  const out = new Float64Array((rows / copies) * width);
  for (let n = 0; n < rows / copies; n++) out.set(x.subarray(n * copies * width, (n * copies + 1) * width), n * width);
  return out;
}

export function forward(options: ForwardOptions): ForwardResult {
  const ctx: Context = { ...options, paramIndex: 0, noisy: false, stats: new Map(options.bnStats ?? []) };
  const trace: TraceEntry[] = [];
  const logits = runLayers(ctx, options.network.layers, options.input, options.network.inputShape, trace);
  return { logits, trace, bnStats: ctx.stats };
}

function runLayers(
  ctx: Context,
  layers: readonly Layer[],
  x: Float64Array,
  shape: Shape,
  trace: TraceEntry[],
): Float64Array {
  let current = x;
  let currentShape = shape;
  for (const layer of layers) {
    current = runLayer(ctx, layer, current, currentShape, trace);
    currentShape = layerOutputShape(layer, currentShape);
  }
  return current;
}

function runLayer(ctx: Context, layer: Layer, x: Float64Array, shape: Shape, trace: TraceEntry[]): Float64Array {
  const rows = ctx.rows;
  if (isActivationLayer(layer)) {
    if (ctx.keep === 'bp') trace.push({ kind: 'activation', layer, input: x, inputShape: shape });
    return activation(layer.kind, x);
  }
  switch (layer.kind) {
    case 'linear':
    case 'conv2d':
    case 'batchnorm':
    case 'layernorm':
    case 'class-token':
    case 'position-embedding':
      return runParamLayer(ctx, layer, x, shape, trace);
    case 'attention':
    case 'tokens':
    case 'class-pool':
    case 'mean-pool':
      if (ctx.keep === 'bp') trace.push({ kind: 'token', layer, input: x, inputShape: shape });
      return tokenForward(layer, x, shape, rows);
    case 'maxpool': {
      if (ctx.keep === 'bp') trace.push({ kind: 'activation', layer, input: x, inputShape: shape });
      const [channels, height, width] = shape as [number, number, number];
      const dims = { rows, channels, height, width, size: layer.size, stride: layer.stride, padding: layer.padding };
      return maxPool(x, dims).output;
    }
    case 'avgpool': {
      if (ctx.keep === 'bp') trace.push({ kind: 'shape-only', layer, inputShape: shape });
      const [channels, height, width] = shape as [number, number, number];
      return avgPool(x, { rows, channels, height, width, ...poolWindow(layer) });
    }
    case 'flatten':
      if (ctx.keep === 'bp') trace.push({ kind: 'shape-only', layer, inputShape: shape });
      return x;
    case 'residual':
      return runResidual(ctx, layer, x, shape, trace);
    default:
      return layer satisfies never;
  }
}

/**
 * body(x) + x, or body(x) + shortcut(x). Both branches read x: the shortcut starts from the noise state
 * the body started from (its input is copy-invariant exactly when the body's is).
 */
function runResidual(
  ctx: Context,
  layer: Extract<Layer, { kind: 'residual' }>,
  x: Float64Array,
  shape: Shape,
  trace: TraceEntry[],
): Float64Array {
  const body: TraceEntry[] = [];
  const shortcut: TraceEntry[] = [];
  const noisyBefore = ctx.noisy;
  const out = runLayers(ctx, layer.body, x, shape, body);
  const noisyAfterBody = ctx.noisy;
  ctx.noisy = noisyBefore;
  const skip = layer.shortcut ? runLayers(ctx, layer.shortcut, x, shape, shortcut) : x;
  ctx.noisy = ctx.noisy || noisyAfterBody;
  if (ctx.keep !== 'none') trace.push({ kind: 'residual', layer, body, shortcut });
  return out.map((v, i) => v + skip[i]!);
}

function runParamLayer(
  ctx: Context,
  layer: ParamLayer,
  x: Float64Array,
  shape: Shape,
  trace: TraceEntry[],
): Float64Array {
  const index = ctx.paramIndex++;
  const p = ctx.params.get(layer.name)!;
  const copies = ctx.copies ?? 1;
  const copyInvariant = !ctx.noisy && copies > 1;
  if (ctx.keep !== 'none' && (ctx.keepOnly?.has(index) ?? true)) {
    const kept = copyInvariant ? firstCopies(x, ctx.rows, copies) : x;
    trace.push({
      kind: 'param',
      layer,
      index,
      input: kept,
      inputShape: shape,
      rows: copyInvariant ? ctx.rows / copies : ctx.rows,
      copyInvariant,
    });
  }
  const outShape = layerOutputShape(layer, shape);
  const z = preActivation(ctx, layer, p, x, shape);
  const eps = ctx.noise?.(layer, index, ctx.rows, elementCount(outShape));
  if (!eps) return z;
  ctx.noisy = true;
  const { channels, spatial, sigma } = noiseLayout(outShape, ctx.sigma!.get(layer.name)!);
  return addNoise(z, eps, sigma, ctx.rows, channels, spatial);
}

/**
 * How noise and its sigma lie on one row of a layer's output: per channel and spatial position, or on a
 * token sequence [tokens, features] one channel per (token, feature), the layer's per-feature sigma
 * repeated over the tokens (as the training runtime lays it out).
 */
export function noiseLayout(
  outShape: Shape,
  sigma: Float64Array,
): { channels: number; spatial: number; sigma: Float64Array } {
  if (outShape.length !== 2) return { ...channelsSpatial(outShape), sigma };
  const channels = elementCount(outShape);
  return { channels, spatial: 1, sigma: Float64Array.from({ length: channels }, (_, c) => sigma[c % sigma.length]!) };
}

/** The noise-free output of a parametrised layer. */
export function preActivation(
  ctx: Pick<Context, 'rows' | 'stats'>,
  layer: ParamLayer,
  p: LayerParams,
  x: Float64Array,
  shape: Shape,
): Float64Array {
  const rows = ctx.rows;
  switch (layer.kind) {
    case 'linear': {
      // Per token on a sequence: every position of every row is a row of the product.
      const positionRows = (rows * elementCount(shape)) / layer.inFeatures;
      const weights = transpose(p.weights, layer.outFeatures, layer.inFeatures);
      const z = matmul(x, weights, positionRows, layer.inFeatures, layer.outFeatures);
      return biasAdd(z, p.biases, positionRows, layer.outFeatures);
    }
    case 'layernorm':
      return layerNorm(x, p, layer.features, layerNormEpsilonOf(layer)).out;
    case 'class-token': {
      const width = x.length / rows;
      const out = new Float64Array(rows * (width + layer.features));
      for (let r = 0; r < rows; r++) {
        out.set(p.weights, r * (width + layer.features));
        out.set(x.subarray(r * width, (r + 1) * width), r * (width + layer.features) + layer.features);
      }
      return out;
    }
    case 'position-embedding':
      return x.map((v, i) => v + p.weights[i % p.weights.length]!);
    case 'conv2d': {
      const [, height, width] = shape as [number, number, number];
      const dims = convDimsOf(layer, rows, height, width);
      const z = conv2d(x, p.weights, dims);
      return biasAdd(
        z,
        p.biases,
        rows,
        layer.outChannels,
        elementCount(layerOutputShape(layer, shape)) / layer.outChannels,
      );
    }
    case 'batchnorm': {
      const { channels, spatial } = channelsSpatial(shape);
      const result = batchnorm(x, p.weights, p.biases, { rows, channels, spatial }, ctx.stats.get(layer.name));
      ctx.stats.set(layer.name, result.stats);
      return result.output;
    }
    default:
      return layer satisfies never;
  }
}
