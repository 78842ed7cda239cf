// The per-layer gradient product of LR/ALR (METHOD.md 2.1, 7.3): from error signals delta on the
// layer's output and the layer's stored input, the weight and bias gradient of one parametrised layer,
// divided by `normaliser` (N*K). No backward chain: only this layer's input, its noise and the losses.
// On a token sequence a linear layer's product sums over the tokens, and LayerNorm, the class token and
// the position table take their own sums (token-ops.ts). When the stored input is copy-invariant (one row per sample), the K copies' signals are summed first
// and the product runs on N rows; this is exact because the product is linear in delta.
import {
  batchnormEpsilon,
  channelSum,
  conv2dWeightGrad,
  lrGradient,
  type BatchnormStats,
} from '../../kernels/reference/index.js';
import { elementCount, type ParamLayer, type Shape } from '../models/layers.js';
import { layerOutputShape } from '../models/shapes.js';
import { channelsSpatial } from './forward.js';
import type { LayerGradient } from './types.js';
import { tokenParamGradient } from './token-ops.js';
import { convDimsOf } from '../../kernels/reference/conv-dims.js';

export interface ProductInput {
  layer: ParamLayer;
  /** Error signals on the layer output, [rows, ...outputShape]. */
  delta: Float64Array;
  /** Stored layer input, [rows, ...inputShape]. */
  input: Float64Array;
  inputShape: Shape;
  rows: number;
  normaliser: number;
  bnStats?: BatchnormStats;
}

export function gradientProduct(p: ProductInput): LayerGradient {
  const { layer, delta, input, rows } = p;
  const inv = 1 / p.normaliser;
  switch (layer.kind) {
    case 'linear': {
      // Per token on a sequence: every position of every row is a row of the product (summed over tokens).
      const positionRows = (rows * elementCount(p.inputShape)) / layer.inFeatures;
      return lrGradient(delta, input, positionRows, layer.outFeatures, layer.inFeatures, p.normaliser);
    }
    case 'conv2d': {
      const [, height, width] = p.inputShape as [number, number, number];
      const dims = convDimsOf(layer, rows, height, width);
      const { spatial } = channelsSpatial(layerOutputShape(layer, p.inputShape));
      return {
        weights: conv2dWeightGrad(delta, input, dims).map((v) => v * inv),
        biases: channelSum(delta, rows, layer.outChannels, spatial).map((v) => v * inv),
      };
    }
    case 'batchnorm': {
      const { channels, spatial } = channelsSpatial(p.inputShape);
      const stats = p.bnStats!;
      const channelOf = (i: number): number => Math.floor(i / spatial) % channels;
      const weighted = delta.map(
        (d, i) =>
          (d * (input[i]! - stats.mean[channelOf(i)]!)) / Math.sqrt(stats.variance[channelOf(i)]! + batchnormEpsilon),
      );
      return {
        weights: channelSum(weighted, rows, channels, spatial).map((v) => v * inv),
        biases: channelSum(delta, rows, channels, spatial).map((v) => v * inv),
      };
    }
    case 'layernorm':
    case 'class-token':
    case 'position-embedding': {
      const g = tokenParamGradient(layer, input, delta, rows);
      return { weights: g.weights.map((v) => v * inv), biases: g.biases.map((v) => v * inv) };
    }
    default:
      return layer satisfies never;
  }
}
