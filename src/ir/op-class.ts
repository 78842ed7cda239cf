// Op classes: the IR's compute nodes grouped by what their kernels (and host work) do, finer than the
// node kind where variants cost differently: BP's backward pass of a forward op; noise storage, and
// for an injection into values whether it is spatial (on tfjs-wasm a conv layer's injection measured
// about 0.65x a dense layer's time per element in the same runtime step; a regeneration, which draws
// noise alone, showed no such difference); a gradient product that first forms its error signal
// from stored noise (three or more operands; a batchnorm layer's statistics are not one); the LR
// fold's error-signal sum; the optimizer. A hardware model may give each class its own fixed cost
// and rate (cores.opCosts); `hw calibrate` measures them.
import { gradProductInputs } from './graph.js';
import type { IrNode, OpClass } from './types.js';

/** The op class of a compute node; undefined for data movement (Transfer, AllReduce). */
export function opClass(node: IrNode): OpClass | undefined {
  switch (node.kind) {
    case 'NoiseInject':
      // A regeneration after the loss (no input) draws noise alone.
      return node.spatial && node.inputs.length > 0
        ? `NoiseInject.${node.storage}.spatial`
        : `NoiseInject.${node.storage}`;
    case 'GradProduct':
      if (node.space === 'weight') return 'GradProduct.weight';
      return gradProductInputs(node).operands.length > 2 ? 'GradProduct.signal' : 'GradProduct';
    case 'Reduce':
      return node.inputs.length > 1 ? 'Reduce.signal' : 'Reduce';
    case 'OptimizerUpdate':
      return `OptimizerUpdate.${node.optimizer}`;
    case 'Transfer':
    case 'AllReduce':
      return undefined;
    case 'MatMul':
    case 'Conv2d':
    case 'BiasAct':
    case 'BatchNorm':
    case 'Pool':
    case 'Add':
    case 'LayerNorm':
    case 'Softmax':
    case 'TokenOp':
      return node.phase === 'backward' ? `${node.kind}.backward` : node.kind;
    default:
      return node.kind;
  }
}
