// BP: exact reverse-mode gradient of the mean clean loss over the float64 reference kernels, with
// batchnorm statistics treated as constants (the same convention every estimator uses). The ground
// truth the LR/ALR/ES/AES estimators are compared against. Kept bytes: the inputs of parametrised,
// activation and maxpool layers on N rows, plus the N losses.
import {
  activationBackward,
  avgPoolBackward,
  batchnormEpsilon,
  channelSum,
  conv2dInputGrad,
  conv2dWeightGrad,
  lrGradient,
  matmul,
  maxPool,
  maxPoolBackward,
  softmaxCrossEntropy,
  type BatchnormStats,
} from '../../kernels/reference/index.js';
import {
  elementCount,
  isActivationLayer,
  poolWindow,
  type Network,
  type ParamLayer,
  type Shape,
} from '../models/layers.js';
import { layerOutputShape } from '../models/shapes.js';
import { layerNormEpsilonOf } from '../models/transformer-layers.js';
import { channelsSpatial, forward, type TraceEntry } from './forward.js';
import { keepStats, KeptBytesAccount } from './kept-bytes.js';
import { validateBatch } from './validate-input.js';
import type { Batch, GradientResult, LayerGradient, Params } from './types.js';
import { layerNormBackward, tokenBackward } from './token-ops.js';
import { convDimsOf } from '../../kernels/reference/conv-dims.js';

interface BackwardContext {
  rows: number;
  params: Params;
  stats: Map<string, BatchnormStats>;
  grads: Map<string, LayerGradient>;
}

export function bp(network: Network, params: Params, batch: Batch, floatBytes = 4): GradientResult {
  validateBatch(network, params, batch);
  const rows = batch.size;
  const { logits, trace, bnStats } = forward({ network, params, input: batch.input, rows, keep: 'bp' });
  const { losses, probabilities } = softmaxCrossEntropy(logits, batch.labels, rows, network.classes);
  const dLogits = probabilities.map(
    (p, i) => (p - (batch.labels[Math.floor(i / network.classes)] === i % network.classes ? 1 : 0)) / rows,
  );
  const ctx: BackwardContext = { rows, params, stats: bnStats, grads: new Map() };
  backward(ctx, trace, dLogits);
  const kept = new KeptBytesAccount(floatBytes);
  keepTrace(kept, trace);
  // Each batchnorm's statistics wait for its backward and weight gradient.
  for (const [layer, stats] of bnStats) keepStats(kept, stats, layer);
  kept.keep('loss', losses);
  return {
    method: 'bp',
    gradients: ctx.grads,
    meanLoss: losses.reduce((a, b) => a + b, 0) / rows,
    kept: kept.result(),
  };
}

function keepTrace(kept: KeptBytesAccount, trace: readonly TraceEntry[]): void {
  for (const e of trace) {
    if (e.kind === 'param') kept.keep('activation', e.input, e.layer.name);
    else if (e.kind === 'activation') kept.keep('activation', e.input, e.layer.name);
    else if (e.kind === 'token') kept.keep('activation', e.input, e.layer.name);
    else if (e.kind === 'residual') keepTrace(kept, [...e.body, ...e.shortcut]);
  }
}

function backward(ctx: BackwardContext, trace: readonly TraceEntry[], dOut: Float64Array): Float64Array {
  let d = dOut;
  for (let i = trace.length - 1; i >= 0; i--) d = backwardEntry(ctx, trace[i]!, d);
  return d;
}

function backwardEntry(ctx: BackwardContext, e: TraceEntry, d: Float64Array): Float64Array {
  switch (e.kind) {
    case 'param':
      return backwardParam(ctx, e.layer, e.input, e.inputShape, d);
    case 'activation': {
      if (isActivationLayer(e.layer)) return activationBackward(e.layer.kind, d, e.input);
      const [channels, height, width] = e.inputShape as [number, number, number];
      const { argmax } = maxPool(e.input, {
        rows: ctx.rows,
        channels,
        height,
        width,
        size: e.layer.size,
        stride: e.layer.stride,
        padding: e.layer.padding,
      });
      return maxPoolBackward(d, argmax, e.input.length);
    }
    case 'shape-only': {
      if (e.layer.kind === 'flatten') return d;
      const [channels, height, width] = e.inputShape as [number, number, number];
      return avgPoolBackward(d, { rows: ctx.rows, channels, height, width, ...poolWindow(e.layer) });
    }
    case 'residual': {
      const dBody = backward(ctx, e.body, d);
      const dSkip = e.layer.shortcut ? backward(ctx, e.shortcut, d) : d;
      return dBody.map((v, i) => v + dSkip[i]!);
    }
    case 'token':
      return tokenBackward(e.layer, e.input, e.inputShape, ctx.rows, d);
    default:
      return e satisfies never;
  }
}

function backwardParam(
  ctx: BackwardContext,
  layer: ParamLayer,
  x: Float64Array,
  shape: Shape,
  dz: Float64Array,
): Float64Array {
  const p = ctx.params.get(layer.name)!;
  const rows = ctx.rows;
  switch (layer.kind) {
    case 'linear': {
      const positionRows = (rows * elementCount(shape)) / layer.inFeatures;
      ctx.grads.set(layer.name, lrGradient(dz, x, positionRows, layer.outFeatures, layer.inFeatures, 1));
      return matmul(dz, p.weights, positionRows, layer.outFeatures, layer.inFeatures);
    }
    case 'layernorm':
    case 'class-token':
    case 'position-embedding':
      return tokenParamBackward(ctx, layer, x, dz);
    case 'conv2d': {
      const [, height, width] = shape as [number, number, number];
      const dims = convDimsOf(layer, rows, height, width);
      const spatial = channelsSpatial(layerOutputShape(layer, shape)).spatial;
      ctx.grads.set(layer.name, {
        weights: conv2dWeightGrad(dz, x, dims),
        biases: channelSum(dz, rows, layer.outChannels, spatial),
      });
      return conv2dInputGrad(dz, p.weights, dims);
    }
    case 'batchnorm': {
      const { channels, spatial } = channelsSpatial(shape);
      const stats = ctx.stats.get(layer.name)!;
      const inv = stats.variance.map((v) => 1 / Math.sqrt(v + batchnormEpsilon));
      const channelOf = (i: number): number => Math.floor(i / spatial) % channels;
      const normalized = x.map((v, i) => (v - stats.mean[channelOf(i)]!) * inv[channelOf(i)]!);
      ctx.grads.set(layer.name, {
        weights: channelSum(
          dz.map((g, i) => g * normalized[i]!),
          rows,
          channels,
          spatial,
        ),
        biases: channelSum(dz, rows, channels, spatial),
      });
      return dz.map((g, i) => g * p.weights[channelOf(i)]! * inv[channelOf(i)]!);
    }
    default:
      return layer satisfies never;
  }
}

/** LayerNorm, class token and position embedding: their gradients, and dx. */
function tokenParamBackward(
  ctx: BackwardContext,
  layer: Extract<ParamLayer, { kind: 'layernorm' | 'class-token' | 'position-embedding' }>,
  x: Float64Array,
  dz: Float64Array,
): Float64Array {
  if (layer.kind !== 'layernorm') return sequenceParamBackward(ctx, layer, dz);
  const p = ctx.params.get(layer.name)!;
  const { dx, grad } = layerNormBackward(x, dz, p, layer.features, layerNormEpsilonOf(layer));
  ctx.grads.set(layer.name, grad);
  return dx;
}

/** Class token: its gradient is every row's token-0 gradient, dx the rest; position embedding: the rows' sum, dx = dz. */
function sequenceParamBackward(
  ctx: BackwardContext,
  layer: Extract<ParamLayer, { kind: 'class-token' | 'position-embedding' }>,
  dz: Float64Array,
): Float64Array {
  const width = dz.length / ctx.rows;
  const size = layer.kind === 'class-token' ? layer.features : width;
  const weights = new Float64Array(size);
  for (let r = 0; r < ctx.rows; r++) for (let i = 0; i < size; i++) weights[i]! += dz[r * width + i]!;
  ctx.grads.set(layer.name, { weights, biases: new Float64Array(0) });
  if (layer.kind === 'position-embedding') return dz;
  return Float64Array.from({ length: ctx.rows * (width - size) }, (_, i) => {
    const r = Math.floor(i / (width - size));
    return dz[r * width + size + (i % (width - size))]!;
  });
}
