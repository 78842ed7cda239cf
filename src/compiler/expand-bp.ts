// Expansion for BP, the exact baseline: forward on N rows, the loss and its gradient, then the
// backward chain in reverse layer order. Each parametrised layer gets a weight-gradient product
// (from its kept input and the incoming gradient) and, unless it reads the network input, an
// input-gradient product; relu, tanh and max-pool backward read their kept inputs. In the backward
// phase BiasAct applies the activation's derivative, Pool routes gradients, Add sums branches.
import { elementCount } from '../ir/graph.js';
import type { Graph } from '../ir/types.js';
import type { Layer, Network } from '../models/layers.js';
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

class BackwardEmitter {
  constructor(
    private readonly ctx: ExpandContext,
    private readonly forward: ForwardEmitter,
    private readonly rows: number,
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
    const { b } = this.ctx;
    const x = this.forward.layerInput.get(layer.name)!;
    const needDx = x !== 'x';
    const elements = this.rows * elementCount(this.ctx.shapes.get(layer.name)!.input);
    const base = { phase: 'backward' as const, layer: layer.name };
    const id = (suffix: string): string => `${layer.name}.${suffix}`;
    switch (layer.kind) {
      case 'linear':
      case 'conv2d':
      case 'batchnorm': {
        const params = this.ctx.params.get(layer.name)!;
        const gradient = gradientTensor(this.ctx, layer);
        b.node({
          ...base,
          id: id('gradprod'),
          kind: 'GradProduct',
          inputs: [x, dy],
          outputs: [gradient],
          ...gradDims(this.ctx, layer, this.rows),
          groups: 1,
          signs: false,
        });
        optimizerUpdate(this.ctx, layer, gradient);
        if (!needDx) return dy;
        const dx = this.dx(layer, x);
        if (layer.kind === 'linear') {
          b.node({
            ...base,
            id: id('dx'),
            kind: 'MatMul',
            inputs: [dy, params],
            outputs: [dx],
            m: this.rows,
            n: layer.inFeatures,
            k: layer.outFeatures,
            groups: 1,
          });
        } else if (layer.kind === 'conv2d') {
          const [, h, w] = this.ctx.shapes.get(layer.name)!.input;
          const [, oh, ow] = this.ctx.shapes.get(layer.name)!.output;
          b.node({
            ...base,
            id: id('dx'),
            kind: 'Conv2d',
            inputs: [dy, params],
            outputs: [dx],
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
          });
        } else {
          b.node({
            ...base,
            id: id('dx'),
            kind: 'BatchNorm',
            inputs: [dy, x, params],
            outputs: [dx],
            elements,
            channels: layer.channels,
          });
        }
        return dx;
      }
      case 'relu':
      case 'tanh': {
        const dx = this.dx(layer, x);
        b.node({ ...base, id: id('dx'), kind: 'BiasAct', act: layer.kind, inputs: [dy, x], outputs: [dx], elements });
        return dx;
      }
      case 'maxpool':
      case 'avgpool': {
        const dx = this.dx(layer, x);
        const inputs = layer.kind === 'maxpool' ? [dy, x] : [dy];
        const op = layer.kind === 'maxpool' ? 'max' : 'avg';
        b.node({
          ...base,
          id: id('dx'),
          kind: 'Pool',
          op,
          inputs,
          outputs: [dx],
          elements,
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
        b.node({ ...base, id: id('dx'), kind: 'Add', inputs: [body, dy], outputs: [dx], elements });
        return dx;
      }
      default:
        return layer satisfies never;
    }
  }
}

export function expandBp(network: Network, options: ExpandOptions): Graph {
  const N = options.batch;
  const ctx = startExpansion(network, options, N);
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
