// The forward half of expand: walks a network's layers (residual bodies included) and emits one
// IR node chain on a fixed number of rows. Method-specific work is left to hooks: which parameter
// tensor a layer reads (ES reads perturbed copies), what happens to a parametrised layer's
// pre-activation (LR/ALR inject noise there), and which layers are reused instead of emitted
// (layer-wise injection reuses the clean prefix). Not a pass on its own.
import type { GraphBuilder } from '../ir/builder.js';
import { elementCount } from '../ir/graph.js';
import {
  isActivationLayer,
  poolWindow,
  type ActivationLayer,
  type Layer,
  type ParamLayer,
  type Shape,
} from '../models/layers.js';
import { isTokenLayer } from '../models/transformer-layers.js';
import { emitTokenLayer, type AttentionTensors } from './expand-tokens.js';

export interface ForwardHooks {
  /** Tensor holding the parameters the layer's forward reads. */
  params(layer: ParamLayer): string;
  /** Called with a parametrised layer's pre-activation; returns the tensor the chain continues with. */
  afterParam(layer: ParamLayer, preact: string): string;
  /** A tensor to use as the layer's output instead of emitting it (layer-wise reuse), if any. */
  reuse?(layer: Layer): string | undefined;
  /**
   * Batchnorm statistics to normalise with (the noisy chains read the clean pass's); without them each
   * batchnorm normalises with its own rows' statistics and writes them (`<prefix><layer>.stats`).
   */
  batchStats?: BatchStats;
}

export type BatchNormLayer = Extract<ParamLayer, { kind: 'batchnorm' }>;

export interface BatchStats {
  /** The statistics tensor of a batchnorm layer ([2, channels]: per channel means, then variances). */
  tensor(layer: BatchNormLayer): string;
}

export class ForwardEmitter {
  /** Input tensor of every layer emitted, by layer name (what LR stores and BP keeps). */
  readonly layerInput = new Map<string, string>();
  /** Output tensor of every layer walked, emitted or reused, by layer name. */
  readonly layerOutput = new Map<string, string>();
  /** What each attention layer keeps for its backward (Q, K, V and the probabilities), by layer name. */
  readonly attention = new Map<string, AttentionTensors>();
  /** The statistics each batchnorm emitted normalised with (written or read), by layer name. */
  readonly batchStats = new Map<string, string>();

  constructor(
    readonly b: GraphBuilder,
    private readonly shapes: Map<string, { input: Shape; output: Shape }>,
    readonly hooks: ForwardHooks,
    /** Rows of every activation this chain produces. */
    readonly rows: number,
    /** Independent weight sets the rows are split across (ES copies); 1 otherwise. */
    private readonly groups: number,
    /** Prefix for node and tensor ids, so several chains can live in one graph. */
    private readonly prefix: string,
  ) {}

  sequence(layers: readonly Layer[], x: string): string {
    return layers.reduce((input, layer) => this.layer(layer, input), x);
  }

  layer(layer: Layer, x: string): string {
    const reused = this.hooks.reuse?.(layer);
    const out = reused ?? this.emit(layer, x);
    if (reused === undefined) this.layerInput.set(layer.name, x);
    this.layerOutput.set(layer.name, out);
    return out;
  }

  /** A new activation tensor of this chain's rows: [rows, ...perSample]. */
  activation(name: string, layer: string, perSample: Shape): string {
    return this.b.tensor({
      id: `${this.prefix}${name}`,
      shape: [this.rows, ...perSample],
      dtype: this.b.floatDtype,
      cls: 'activation',
      layer,
    });
  }

  outShape(layer: Layer): Shape {
    const s = this.shapes.get(layer.name);
    if (!s) throw new Error(`expand: no shape for layer ${layer.name}`);
    return s.output;
  }

  inShape(layer: Layer): Shape {
    return this.shapes.get(layer.name)!.input;
  }

  private emit(layer: Layer, x: string): string {
    if (isActivationLayer(layer)) return this.activationLayer(layer, x);
    if (isTokenLayer(layer)) return emitTokenLayer(this, layer, x);
    switch (layer.kind) {
      case 'linear':
        return this.linear(layer, x);
      case 'conv2d':
        return this.conv(layer, x);
      case 'batchnorm':
        return this.batchNorm(layer, x);
      case 'maxpool':
      case 'avgpool':
        return this.pool(layer, x);
      case 'flatten':
        // A view: the next layer reads the same buffer; element counts are what nodes check.
        return x;
      case 'residual': {
        const body = this.sequence(layer.body, x);
        const skip = layer.shortcut ? this.sequence(layer.shortcut, x) : x;
        const out = this.activation(`${layer.name}.out`, layer.name, this.outShape(layer));
        const elements = this.elements(layer);
        this.b.node({
          ...this.base(layer),
          id: this.id(layer, 'add'),
          kind: 'Add',
          inputs: [body, skip],
          outputs: [out],
          elements,
        });
        return out;
      }
      default:
        return layer satisfies never;
    }
  }

  id(layer: Layer, suffix: string): string {
    return `${this.prefix}${layer.name}.${suffix}`;
  }

  base(layer: Layer): { layer: string; phase: 'forward' } {
    return { layer: layer.name, phase: 'forward' };
  }

  /** Elements of the layer's output over this chain's rows. */
  elements(layer: Layer): number {
    return this.rows * elementCount(this.outShape(layer));
  }

  private linear(layer: Extract<ParamLayer, { kind: 'linear' }>, x: string): string {
    const p = this.hooks.params(layer);
    const z = this.activation(`${layer.name}.z`, layer.name, this.outShape(layer));
    this.b.node({
      ...this.base(layer),
      id: this.id(layer, 'mm'),
      kind: 'MatMul',
      inputs: [x, p],
      outputs: [z],
      // Per token on a sequence: every position of every row is one product row.
      m: (this.rows / this.groups) * (elementCount(this.outShape(layer)) / layer.outFeatures),
      n: layer.outFeatures,
      k: layer.inFeatures,
      groups: this.groups,
    });
    return this.bias(layer, this.hooks.afterParam(layer, z), p, this.elements(layer));
  }

  private conv(layer: Extract<ParamLayer, { kind: 'conv2d' }>, x: string): string {
    const p = this.hooks.params(layer);
    const [, h, w] = this.shapes.get(layer.name)!.input;
    const [, oh, ow] = this.outShape(layer);
    const z = this.activation(`${layer.name}.z`, layer.name, this.outShape(layer));
    this.b.node({
      ...this.base(layer),
      id: this.id(layer, 'conv'),
      kind: 'Conv2d',
      inputs: [x, p],
      outputs: [z],
      batch: this.rows,
      inChannels: layer.inChannels,
      outChannels: layer.outChannels,
      inHeight: h!,
      inWidth: w!,
      outHeight: oh!,
      outWidth: ow!,
      kernelSize: layer.kernelSize,
      stride: layer.stride,
      padding: layer.padding,
      ...(this.groups > 1 ? { groups: this.groups } : {}),
    });
    return this.bias(layer, this.hooks.afterParam(layer, z), p, this.elements(layer));
  }

  private batchNorm(layer: BatchNormLayer, x: string): string {
    const p = this.hooks.params(layer);
    const z = this.activation(`${layer.name}.z`, layer.name, this.outShape(layer));
    const read = this.hooks.batchStats?.tensor(layer);
    // The statistics are computed from (and live as long as) one micro-batch's activations.
    const stats =
      read ??
      this.b.tensor({
        id: `${this.prefix}${layer.name}.stats`,
        shape: [2, layer.channels],
        dtype: this.b.floatDtype,
        cls: 'activation',
        layer: layer.name,
      });
    this.batchStats.set(layer.name, stats);
    const inputs = read ? [x, p, read] : [x, p];
    const outputs = read ? [z] : [z, stats];
    const elements = this.elements(layer);
    this.b.node({
      ...this.base(layer),
      id: this.id(layer, 'bn'),
      kind: 'BatchNorm',
      inputs,
      outputs,
      elements,
      channels: layer.channels,
    });
    return this.hooks.afterParam(layer, z);
  }

  private activationLayer(layer: ActivationLayer, x: string): string {
    const out = this.activation(`${layer.name}.out`, layer.name, this.outShape(layer));
    this.b.node({
      ...this.base(layer),
      id: this.id(layer, 'act'),
      kind: 'BiasAct',
      act: layer.kind,
      inputs: [x],
      outputs: [out],
      elements: this.elements(layer),
    });
    return out;
  }

  private pool(layer: Extract<Layer, { kind: 'maxpool' | 'avgpool' }>, x: string): string {
    const out = this.activation(`${layer.name}.out`, layer.name, this.outShape(layer));
    this.b.node({
      ...this.base(layer),
      id: this.id(layer, 'pool'),
      kind: 'Pool',
      op: layer.kind === 'maxpool' ? 'max' : 'avg',
      inputs: [x],
      outputs: [out],
      elements: this.elements(layer),
      ...poolWindow(layer),
    });
    return out;
  }

  /** Bias add after a linear or conv product (and after its noise, which commutes with it). */
  private bias(layer: ParamLayer, z: string, params: string, elements: number): string {
    const out = this.activation(`${layer.name}.out`, layer.name, this.outShape(layer));
    this.b.node({
      id: `${this.prefix}${layer.name}.bias`,
      kind: 'BiasAct',
      act: 'none',
      phase: 'forward',
      layer: layer.name,
      inputs: [z, params],
      outputs: [out],
      elements,
    });
    return out;
  }
}
