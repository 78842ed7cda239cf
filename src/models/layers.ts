// Layer specifications: the plain-data description of a network that every other part of alrflow
// (estimators, compiler, simulator, runtime) reads. No numbers live here, only shapes.
// Every layer with parameters (linear, conv2d, batchnorm) is a "noisy layer" under LR/ALR: noise is
// injected on its output (METHOD.md 1.2 and 7.3). A network ends in softmax cross-entropy on the
// last layer's output. Activation layers are the op table's activations (kernels/ops/activations.ts).
import { isActivationName, type ActivationName } from '../../kernels/ops/activations.js';
import type { TokenLayer, TokenParamLayer } from './transformer-layers.js';

export type { TokenLayer, TokenParamLayer };

/**
 * Activation shape of one sample: [features] after flatten/linear, [channels, height, width] before,
 * [tokens, features] for a token sequence (src/models/transformer-layers.ts).
 */
export type Shape = readonly number[];

export type Layer =
  /** A dense layer on the last axis: [inFeatures] or, per token, [tokens, inFeatures]. */
  | { kind: 'linear'; name: string; inFeatures: number; outFeatures: number }
  | {
      kind: 'conv2d';
      name: string;
      inChannels: number;
      outChannels: number;
      kernelSize: number;
      stride: number;
      padding: number;
    }
  /** Per-channel affine normalisation; statistics over the batch rows, treated as constants (METHOD.md 7.3). */
  | { kind: 'batchnorm'; name: string; channels: number }
  /** An elementwise activation of the op table (relu, tanh, silu, ...). */
  | { kind: ActivationName; name: string }
  /** size x size windows every `stride` positions; `padding` positions on every side never win (default 0). */
  | { kind: 'maxpool'; name: string; size: number; stride: number; padding?: number }
  /**
   * The mean of size x size windows every `stride` positions, `padding` zero positions on every side
   * (default 0): over size^2 when countIncludePad, else over the window's in-bounds positions (ONNX
   * AveragePool's count_include_pad 1 or 0; PyTorch's AvgPool2d defaults to counting them).
   */
  | { kind: 'avgpool'; name: string; size: number; stride: number; padding?: number; countIncludePad?: boolean }
  | { kind: 'flatten'; name: string }
  /**
   * out = body(x) + x, or body(x) + shortcut(x) with a shortcut (a projection: a strided 1x1 conv and its
   * batch norm); the body and the shortcut give the same shape (without a shortcut, the input's).
   */
  | { kind: 'residual'; name: string; body: Layer[]; shortcut?: Layer[] }
  | TokenLayer;

export type LayerKind = Layer['kind'];
export type ActivationLayer = Extract<Layer, { kind: ActivationName }>;

export function isActivationLayer(layer: Layer): layer is ActivationLayer {
  return isActivationName(layer.kind);
}
export type ParamLayer = Extract<Layer, { kind: 'linear' | 'conv2d' | 'batchnorm' }> | TokenParamLayer;

export interface Network {
  name: string;
  /** Shape of one input sample: [C, H, W] for images, [features] for vectors. */
  inputShape: Shape;
  classes: number;
  layers: Layer[];
}

const PARAM_KINDS: ReadonlySet<string> = new Set<ParamLayer['kind']>([
  'linear',
  'conv2d',
  'batchnorm',
  'layernorm',
  'class-token',
  'position-embedding',
]);

export function isParamLayer(layer: Layer): layer is ParamLayer {
  return PARAM_KINDS.has(layer.kind);
}

/** Output channels (neurons for linear) of a parametrised layer: the length of its sigma vector. */
export function outputChannels(layer: ParamLayer): number {
  switch (layer.kind) {
    case 'linear':
      return layer.outFeatures;
    case 'conv2d':
      return layer.outChannels;
    case 'batchnorm':
      return layer.channels;
    case 'layernorm':
    case 'class-token':
    case 'position-embedding':
      return layer.features;
    default:
      return layer satisfies never;
  }
}

/** Every parametrised layer in execution order, descending into residual bodies (body, then shortcut). */
export function paramLayers(layers: readonly Layer[]): ParamLayer[] {
  return layers.flatMap((layer) =>
    layer.kind === 'residual' ? paramLayers(branchLayers(layer)) : isParamLayer(layer) ? [layer] : [],
  );
}

/** A residual's layers in execution order: its body, then its shortcut's layers (if any). */
export function branchLayers(layer: Extract<Layer, { kind: 'residual' }>): Layer[] {
  return [...layer.body, ...(layer.shortcut ?? [])];
}

export function elementCount(shape: Shape): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Inputs feeding one output unit of a parametrised layer (the scale of weight initialisation). */
export function fanIn(layer: ParamLayer): number {
  switch (layer.kind) {
    case 'linear':
      return layer.inFeatures;
    case 'conv2d':
      return layer.inChannels * layer.kernelSize * layer.kernelSize;
    case 'batchnorm':
    case 'layernorm':
    case 'class-token':
    case 'position-embedding':
      return 1;
    default:
      return layer satisfies never;
  }
}

/** Number of weights and biases of a parametrised layer. */
export function parameterCount(layer: ParamLayer): { weights: number; biases: number } {
  switch (layer.kind) {
    case 'linear':
      return { weights: layer.inFeatures * layer.outFeatures, biases: layer.outFeatures };
    case 'conv2d':
      return {
        weights: layer.outChannels * layer.inChannels * layer.kernelSize * layer.kernelSize,
        biases: layer.outChannels,
      };
    case 'batchnorm':
      return { weights: layer.channels, biases: layer.channels };
    case 'layernorm':
      return { weights: layer.features, biases: layer.features };
    case 'class-token':
      return { weights: layer.features, biases: 0 };
    case 'position-embedding':
      return { weights: layer.tokens * layer.features, biases: 0 };
    default:
      return layer satisfies never;
  }
}

/** A pool layer's window as the Pool node and the kernels take it: padding and countIncludePad only where they matter. */
export function poolWindow(layer: Extract<Layer, { kind: 'maxpool' | 'avgpool' }>): {
  size: number;
  stride: number;
  padding?: number;
  countIncludePad?: boolean;
} {
  const padding = layer.padding ?? 0;
  return {
    size: layer.size,
    stride: layer.stride,
    ...(padding > 0 ? { padding } : {}),
    ...(layer.kind === 'avgpool' && padding > 0 && layer.countIncludePad ? { countIncludePad: true } : {}),
  };
}
