// Which step graphs the training runtime runs resident on a device whose memory is apart from the
// host (gpu.js GPU modes, and tfjs-wasm where the step draws no noise: uncoveredReason; src/train/runtime/device-state.ts): dense, conv, batch-norm, pool and token
// layers whose nodes all have device paths (staleness 1 keeps the gradients the next step applies there
// too, of the weights and of learned sigma; a micro-batched step runs each micro-batch there and sums
// their weight and sigma gradients there; learned sigma, its gradient and its update are held and run
// there; ES/AES draw their weight noise there and run each perturbed copy's dense, conv, batch-norm and
// token-layer forward there). Elsewhere (a layer or node without a device path) the runtime keeps the
// step's state on the host and moves tensors per kernel call; the reason says which layer or node keeps it there. simulate's host
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
  'SignPack',
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
 * batch-norm, pool and token layers whose nodes all have device paths (ES/AES included).
 */
export function nonResidentReason(graph: Graph): string | undefined {
  const layer = graph.params.find((p) => !RESIDENT_LAYERS.has(p.op.kind));
  if (layer) return `layer ${layer.layer} is a ${layer.op.kind} layer: it has no device path`;
  const node = graph.nodes.find((n) => !RESIDENT_NODES.has(n.kind));
  if (node) return `node ${node.id} is a ${node.kind}: it has no device path`;
  return undefined;
}

/** Node kinds that draw or read noise (LR, ALR, ES): a backend whose device operations do not draw noise runs them on the host. */
const NOISE_NODES: ReadonlySet<IrNode['kind']> = new Set(['NoiseInject', 'SigmaGrad']);

/**
 * Why a graph's state stays on the host on a backend whose device operations cover steps without
 * noise only ('no-noise': tfjs-wasm, which draws its noise on the host; kernels/device-ops.ts), or
 * undefined where they cover it: noise nodes, weight-space products and token layers (not yet resident there).
 */
export function uncoveredReason(graph: Graph, covers: 'all' | 'no-noise', backend: string): string | undefined {
  if (covers === 'all') return undefined;
  const noisy = graph.nodes.find((n) => NOISE_NODES.has(n.kind) || (n.kind === 'GradProduct' && n.space === 'weight'));
  if (noisy) return `node ${noisy.id} draws or reads noise, which ${backend} draws on the host: its state stays there`;
  const token = graph.params.find((p) => p.op.kind !== 'linear' && p.op.kind !== 'conv2d' && p.op.kind !== 'batchnorm');
  if (token) return `layer ${token.layer} is a ${token.op.kind} layer: ${backend} keeps its steps' state on the host`;
  return undefined;
}
