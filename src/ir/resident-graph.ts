// Which step graphs the training runtime runs resident on a device whose memory is apart from the
// host (gpu.js GPU modes; src/train/runtime/device-state.ts): dense, conv, batch-norm, pool and token
// layers whose nodes all have device paths (staleness 1 keeps the gradient the next step applies there
// too; a micro-batched step runs each micro-batch there and sums their gradients there). Elsewhere
// (learned sigma, ES/AES weight-space noise) the runtime keeps the step's state on the host and moves
// tensors per kernel call; the reason says which layer or node keeps it there. simulate's host
// transfers (host-transfers.ts) and train --profile report it.
import type { Graph, IrNode, ParamDecl } from './types.js';

/** The node kinds a resident step runs on the device (the others read host values). */
const RESIDENT_NODES: ReadonlySet<IrNode['kind']> = new Set([
  'MatMul',
  'Conv2d',
  'BiasAct',
  'BatchNorm',
  'Pool',
  'Add',
  'LayerNorm',
  'Softmax',
  'TokenOp',
  'NoiseInject',
  'Loss',
  'LossBroadcast',
  'Reduce',
  'GradProduct',
  'OptimizerUpdate',
  'AllReduce',
  'Transfer',
]);

/** The parametrised layer kinds whose forward, backward and gradient run on the device. */
const RESIDENT_LAYERS: ReadonlySet<ParamDecl['op']['kind']> = new Set([
  'linear',
  'conv2d',
  'batchnorm',
  'layernorm',
  'class-token',
  'position-embedding',
]);

/**
 * Why a step graph's state cannot stay on the device, or undefined where it can: dense, conv,
 * batch-norm, pool and token layers whose nodes all have device paths, no learned sigma, no
 * weight-space noise.
 */
export function nonResidentReason(graph: Graph): string | undefined {
  return nodeReason(graph);
}

/** Why a learned-sigma step keeps its state on the host (the runtime says the same). */
export const SIGMA_REASON = 'sigma is learned (its gradient and update run on the host)';

function nodeReason(graph: Graph): string | undefined {
  const sigma = graph.nodes.find(
    (n) => n.kind === 'SigmaGrad' || (n.kind === 'OptimizerUpdate' && n.target === 'sigma'),
  );
  if (sigma) return SIGMA_REASON;
  const layer = graph.params.find((p) => !RESIDENT_LAYERS.has(p.op.kind));
  if (layer) return `layer ${layer.layer} is a ${layer.op.kind} layer: it has no device path`;
  const node = graph.nodes.find((n) => !RESIDENT_NODES.has(n.kind));
  if (node) return `node ${node.id} is a ${node.kind}: it has no device path`;
  const noise = graph.nodes.find((n) => n.kind === 'GradProduct' && n.space === 'weight');
  if (noise) return `node ${noise.id} forms a weight-space (ES/AES) gradient: it runs on the host`;
  return undefined;
}
