// What one IR node asks of the hardware, before any mapping: a GEMM shape, vector element work or
// bytes to move. The op counts per element are the op table's (kernels/ops): rough weights for
// costing, not a timing model (the simulator owns timing). Compute work names its op class, for hardware models that cost classes.
import { activationOp, type BiasActivation } from '../../kernels/ops/activations.js';
import { opsPerElement as ops } from '../../kernels/ops/vector-ops.js';
import { opClass } from './op-class.js';
import type { IrNode, Work } from './types.js';

/** A bias add is one operation per element; an activation's count (the op table's) includes it. */
const actOps = (act: BiasActivation): number => (act === 'none' ? 1 : activationOp(act).opsPerElement);

export function workOf(node: IrNode, floatBytes = 4): Work {
  const work = baseWork(node, floatBytes);
  const op = opClass(node);
  return op === undefined || (work.kind !== 'gemm' && work.kind !== 'vector') ? work : { ...work, op };
}

function baseWork(node: IrNode, floatBytes: number): Work {
  switch (node.kind) {
    case 'MatMul':
    case 'GradProduct':
      return { kind: 'gemm', m: node.m, n: node.n, k: node.k, groups: node.groups };
    case 'Conv2d': {
      const groups = node.groups ?? 1;
      return {
        kind: 'gemm',
        m: (node.batch / groups) * node.outHeight * node.outWidth,
        n: node.outChannels,
        k: node.inChannels * node.kernelSize * node.kernelSize,
        groups,
      };
    }
    case 'BiasAct':
      return { kind: 'vector', elements: node.elements, opsPerElement: actOps(node.act) };
    case 'Pool':
      return { kind: 'vector', elements: node.elements, opsPerElement: ops('Pool') * node.size * node.size };
    case 'LayerNorm':
    case 'Softmax':
    case 'TokenOp':
    case 'BatchNorm':
    case 'Add':
    case 'SignPack':
    case 'NoiseInject':
    case 'SigmaGrad':
      return { kind: 'vector', elements: node.elements, opsPerElement: ops(node.kind) };
    case 'Loss':
      return { kind: 'vector', elements: node.rows * (node.tokens ?? 1) * node.classes, opsPerElement: ops('Loss') };
    case 'LossBroadcast':
      return { kind: 'vector', elements: node.rows * node.targets, opsPerElement: ops('LossBroadcast') };
    case 'Reduce':
      return { kind: 'vector', elements: node.elements * node.factor, opsPerElement: ops('Reduce') };
    case 'OptimizerUpdate':
      return { kind: 'vector', elements: node.elements, opsPerElement: ops(`OptimizerUpdate.${node.optimizer}`) };
    case 'AllReduce': {
      // Ring all-reduce moves 2(p-1)/p of the buffer through each participant.
      const p = node.participants;
      return { kind: 'transfer', bytes: Math.ceil((2 * (p - 1) * node.elements * floatBytes) / p) };
    }
    case 'Transfer':
      return { kind: 'transfer', bytes: node.bytes };
    default:
      return node satisfies never;
  }
}
