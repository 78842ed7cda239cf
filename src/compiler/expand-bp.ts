// Expansion for BP, the exact baseline: forward on N rows, the loss and its gradient, then the
// backward chain in reverse layer order. Each parametrised layer gets a weight-gradient product
// (from its kept input and the incoming gradient) and, unless it reads the network input, an
// input-gradient product; activation and max-pool backward read their kept inputs. In the backward
// phase BiasAct applies the activation's derivative, Pool routes gradients, Add sums branches.
import { elementCount } from '../ir/graph.js';
import type { Graph, IrNode } from '../ir/types.js';
import { isActivationLayer, type Layer, type Network, type ParamLayer } from '../models/layers.js';
import { ForwardEmitter } from './expand-forward.js';
import {
  gradDims,
  gradientTensor,
  optimizerUpdate,
  removeDeadCode,
  startExpansion,
  type ExpandContext,
  type ExpandOptions,
} from './expand-common.js';
import type { MethodRules } from './methods/rules.js';

export class BackwardEmitter {
  constructor(
    private readonly ctx: ExpandContext,
    private readonly forward: ForwardEmitter,
    private readonly rows: number,
    /** Layers whose weight gradient this chain computes (hybrids: the BP layers); the others only pass dx on. */
    private readonly trains: (layer: Layer) => boolean = () => true,
  ) {}

  sequence(layers: readonly Layer[], dy: string): string {
    return [...layers].reverse().reduce((d, layer) => this.layer(layer, d), dy);
  }

  private dx(layer: Layer, x: string): string {
    const info = this.ctx.b.get(x);
    return this.ctx.b.tensor({
      id: `${layer.name}.dx`,
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
        return this.paramLayer(layer, x, dy);
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
          size: layer.size,
          stride: layer.stride,
        });
        return dx;
      }
      case 'flatten':
        return dy;
      case 'residual': {
        const body = this.sequence(layer.body, dy);
        const dx = this.dx(layer, x);
        this.node(layer, { kind: 'Add', inputs: [body, dy], outputs: [dx] });
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
    if (x === 'x') return dy;
    const dx = this.dx(layer, x);
    const params = this.ctx.params.get(layer.name)!;
    if (layer.kind === 'batchnorm')
      this.node(layer, { kind: 'BatchNorm', inputs: [dy, x, params], outputs: [dx], channels: layer.channels });
    else this.ctx.b.node(this.inputGradient(layer, dy, params, dx));
    return dx;
  }

  private weightGradient(layer: ParamLayer, x: string, dy: string): void {
    const gradient = gradientTensor(this.ctx, layer);
    this.ctx.b.node({
      phase: 'backward',
      layer: layer.name,
      id: `${layer.name}.gradprod`,
      kind: 'GradProduct',
      inputs: [x, dy],
      outputs: [gradient],
      ...gradDims(this.ctx, layer, this.rows),
      groups: 1,
      signs: false,
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
    if (layer.kind === 'linear')
      return { ...base, kind: 'MatMul', m: this.rows, n: layer.inFeatures, k: layer.outFeatures, groups: 1 };
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
  Extract<IrNode, { kind: 'BiasAct' | 'Pool' | 'Add' | 'BatchNorm' }>,
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
  const dlogits = b.tensor({ id: 'loss.dlogits', shape: [N, network.classes], dtype: b.floatDtype, cls: 'gradient' });
  b.node({
    id: 'loss.ce',
    kind: 'Loss',
    phase: 'loss',
    inputs: [logits, 'labels'],
    outputs: [loss, dlogits],
    rows: N,
    classes: network.classes,
  });
  new BackwardEmitter(ctx, forward, N).sequence(network.layers, dlogits);
  return removeDeadCode(b.build());
}
