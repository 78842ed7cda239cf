// Which step graphs the training runtime runs resident on a device whose memory is apart from the
// host (gpu.js GPU modes; src/train/runtime/device-state.ts): dense, conv, batch-norm, pool and token
// layers whose nodes all have device paths (staleness 1 keeps the gradient the next step applies there
// too; a micro-batched step runs each micro-batch there and sums their gradients there; learned sigma,
// its gradient and its update are held and run there). Elsewhere (learned sigma under staleness 1 or
// with micro-batches, ES/AES weight-space noise) the runtime keeps the step's state on the host and moves
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
  'SigmaGrad',
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
 * batch-norm, pool and token layers whose nodes all have device paths, no learned sigma under
 * staleness 1 or with micro-batches, no weight-space noise.
 */
export function nonResidentReason(graph: Graph): string | undefined {
  return nodeReason(graph);
}

/** Why a learned-sigma step under staleness 1 keeps its state on the host (its stale sigma gradient is not held there). */
export const STALE_SIGMA_REASON = 'sigma is learned under staleness 1 (its stale gradient stays on the host)';

/** Why a learned-sigma step with micro-batches keeps its state on the host (the runtime says the same). */
export const sigmaMicroReason = (micro: number): string =>
  `sigma is learned with ${micro} micro-batches per step (their sigma gradients are combined on the host)`;

function nodeReason(graph: Graph): string | undefined {
  if (graph.inputs.some((p) => p.role === 'stale-sigma-gradient')) return STALE_SIGMA_REASON;
  const micro = graph.meta.microBatches ?? 1;
  if (micro > 1 && graph.inputs.some((p) => p.role === 'sigma')) return sigmaMicroReason(micro);
  const layer = graph.params.find((p) => !RESIDENT_LAYERS.has(p.op.kind));
  if (layer) return `layer ${layer.layer} is a ${layer.op.kind} layer: it has no device path`;
  const node = graph.nodes.find((n) => !RESIDENT_NODES.has(n.kind));
  if (node) return `node ${node.id} is a ${node.kind}: it has no device path`;
  const noise = graph.nodes.find((n) => n.kind === 'GradProduct' && n.space === 'weight');
  if (noise) return `node ${noise.id} forms a weight-space (ES/AES) gradient: it runs on the host`;
  return undefined;
}
