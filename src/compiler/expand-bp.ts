// Expansion for BP, the exact baseline: forward on N rows, the loss and its gradient, then the
// backward chain in reverse layer order. Each parametrised layer gets a weight-gradient product
// (from its kept input and the incoming gradient) and, unless it reads the network input, an
// input-gradient product; activation and max-pool backward read their kept inputs. In the backward
// phase BiasAct applies the activation's derivative, Pool routes gradients, Add sums branches.
import { elementCount } from '../ir/graph.js';
import type { Graph, IrNode } from '../ir/types.js';
import { isActivationLayer, poolWindow, type Layer, type Network, type ParamLayer } from '../models/layers.js';
import { ForwardEmitter } from './expand-forward.js';
import { emitTokenBackward, type BackwardParts } from './expand-tokens.js';
import {
  batchStatsInput,
  gradDims,
  lossSize,
  gradientTensor,
  optimizerUpdate,
  removeDeadCode,
  startExpansion,
  type ExpandContext,
  type ExpandOptions,
} from './expand-common.js';
import type { MethodRules } from './methods/rules.js';

export class BackwardEmitter implements BackwardParts {
  constructor(
    private readonly ctx: ExpandContext,
    readonly forward: ForwardEmitter,
    readonly rows: number,
    /** Layers whose weight gradient this chain computes (hybrids: the BP layers); the others only pass dx on. */
    private readonly trains: (layer: Layer) => boolean = () => true,
  ) {}

  sequence(layers: readonly Layer[], dy: string): string {
    return [...layers].reverse().reduce((d, layer) => this.layer(layer, d), dy);
  }

  private dx(layer: Layer, x: string): string {
    return this.gradient(layer, x, 'dx');
  }

  gradient(layer: Layer, like: string, suffix: string): string {
    const info = this.ctx.b.get(like);
    return this.ctx.b.tensor({
      id: `${layer.name}.${suffix}`,
      shape: info.shape,
      dtype: info.dtype,
      cls: 'gradient',
      layer: layer.name,
    });
  }

  /** Returns the gradient with respect to the layer's input (the same tensor when nothing needs it). */
  private layer(layer: Layer, dy: string): string {
    const x = this.forward.layerInput.get(layer.name)!;
    if (isActivationLayer(layer)) {
      const dx = this.dx(layer, x);
      this.node(layer, { kind: 'BiasAct', act: layer.kind, inputs: [dy, x], outputs: [dx] });
      return dx;
    }
    switch (layer.kind) {
      case 'linear':
      case 'conv2d':
      case 'batchnorm':
      case 'layernorm':
      case 'class-token':
      case 'position-embedding':
        return this.paramLayer(layer, x, dy);
      case 'attention':
      case 'tokens':
      case 'class-pool':
      case 'mean-pool':
        return emitTokenBackward(this, layer, x, dy);
      case 'maxpool':
      case 'avgpool': {
        const dx = this.dx(layer, x);
        const max = layer.kind === 'maxpool';
        const inputs = max ? [dy, x] : [dy];
        this.node(layer, {
          kind: 'Pool',
          op: max ? 'max' : 'avg',
          inputs,
          outputs: [dx],
          ...poolWindow(layer),
        });
        return dx;
      }
      case 'flatten':
        return dy;
      case 'residual': {
        const body = this.sequence(layer.body, dy);
        const skip = layer.shortcut ? this.sequence(layer.shortcut, dy) : dy;
        const dx = this.dx(layer, x);
        this.node(layer, { kind: 'Add', inputs: [body, skip], outputs: [dx] });
        return dx;
      }
      default:
        return layer satisfies never;
    }
  }

  /** An elementwise backward node of `layer` (id layer.dx), over the elements of the layer's input. */
  private node(layer: Layer, fields: ElementwiseFields): void {
    const elements = this.rows * elementCount(this.ctx.shapes.get(layer.name)!.input);
    this.ctx.b.node({ phase: 'backward', layer: layer.name, id: `${layer.name}.dx`, ...fields, elements } as IrNode);
  }

  /** The weight-gradient product and update (of the layers this chain trains), and unless the layer reads the network input the input gradient. */
  private paramLayer(layer: ParamLayer, x: string, dy: string): string {
    if (this.trains(layer)) this.weightGradient(layer, x, dy);
    // A position embedding adds its table: the input's gradient is dy itself.
    if (x === 'x' || layer.kind === 'position-embedding') return dy;
    const dx = this.dx(layer, x);
    const params = this.ctx.params.get(layer.name)!;
    if (layer.kind === 'batchnorm') {
      const stats = this.forward.batchStats.get(layer.name)!;
      this.node(layer, { kind: 'BatchNorm', inputs: [dy, x, params, stats], outputs: [dx], channels: layer.channels });
    } else if (layer.kind === 'layernorm')
      this.node(layer, { kind: 'LayerNorm', inputs: [dy, x, params], outputs: [dx], features: layer.features });
    else if (layer.kind === 'class-token') {
      const [tokens, features] = this.ctx.shapes.get(layer.name)!.output;
      this.node(layer, {
        kind: 'TokenOp',
        op: 'class-token',
        inputs: [dy],
        outputs: [dx],
        tokens: tokens!,
        features: features!,
      });
    } else this.ctx.b.node(this.inputGradient(layer, dy, params, dx));
    return dx;
  }

  private weightGradient(layer: ParamLayer, x: string, dy: string): void {
    const gradient = gradientTensor(this.ctx, layer);
    const stats = batchStatsInput(this.forward.batchStats.get(layer.name));
    this.ctx.b.node({
      phase: 'backward',
      layer: layer.name,
      id: `${layer.name}.gradprod`,
      kind: 'GradProduct',
      inputs: [x, dy, ...stats.inputs],
      outputs: [gradient],
      ...gradDims(this.ctx, layer, this.rows),
      groups: 1,
      signs: false,
      ...stats.attribute,
    });
    optimizerUpdate(this.ctx, layer, gradient);
  }

  /** BP's input gradient of a linear (dy W) or conv (the transposed conv) layer. */
  private inputGradient(
    layer: Extract<ParamLayer, { kind: 'linear' | 'conv2d' }>,
    dy: string,
    params: string,
    dx: string,
  ): IrNode {
    const base = {
      phase: 'backward' as const,
      layer: layer.name,
      id: `${layer.name}.dx`,
      inputs: [dy, params],
      outputs: [dx],
    };
    if (layer.kind === 'linear') {
      const positions = elementCount(this.ctx.shapes.get(layer.name)!.output) / layer.outFeatures;
      return {
        ...base,
        kind: 'MatMul',
        m: this.rows * positions,
        n: layer.inFeatures,
        k: layer.outFeatures,
        groups: 1,
      };
    }
    const [, h, w] = this.ctx.shapes.get(layer.name)!.input;
    const [, oh, ow] = this.ctx.shapes.get(layer.name)!.output;
    return {
      ...base,
      kind: 'Conv2d',
      batch: this.rows,
      inChannels: layer.outChannels,
      outChannels: layer.inChannels,
      inHeight: oh!,
      inWidth: ow!,
      outHeight: h!,
      outWidth: w!,
      kernelSize: layer.kernelSize,
      stride: layer.stride,
      padding: layer.padding,
    };
  }
}

/** The fields of an elementwise backward node other than its id, phase, layer and element count. */
type ElementwiseFields = DistributiveOmit<
  Extract<IrNode, { kind: 'BiasAct' | 'Pool' | 'Add' | 'BatchNorm' | 'LayerNorm' | 'TokenOp' }>,
  'id' | 'phase' | 'layer' | 'elements'
>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export function expandBp(network: Network, options: ExpandOptions, rules: MethodRules): Graph {
  const N = options.batch;
  const ctx = startExpansion(network, options, N, rules);
  const { b } = ctx;
  const forward = new ForwardEmitter(
    b,
    ctx.shapes,
    { params: (l) => ctx.params.get(l.name)!, afterParam: (_l, z) => z },
    N,
    1,
    '',
  );
  const logits = forward.sequence(network.layers, 'x');
  const loss = b.tensor({ id: 'loss', shape: [N], dtype: b.floatDtype, cls: 'loss' });
  const outShape = ctx.shapes.get(network.layers.at(-1)!.name)!.output;
  const dlogits = b.tensor({ id: 'loss.dlogits', shape: [N, ...outShape], dtype: b.floatDtype, cls: 'gradient' });
  b.node({
    id: 'loss.ce',
    kind: 'Loss',
    phase: 'loss',
    inputs: [logits, 'labels'],
    outputs: [loss, dlogits],
    rows: N,
    ...lossSize(ctx),
  });
  new BackwardEmitter(ctx, forward, N).sequence(network.layers, dlogits);
  return removeDeadCode(b.build());
}
