// Pass 2, fold copy-invariant work (LR/ALR): the network input is the same for all K copies, so
// every forward node whose row-carrying inputs are all copy-invariant runs once per sample (N rows
// instead of N*K): the first layer's product always, and under layer-wise injection every layer
// before the noisy one. The noise injection that follows broadcasts N rows to N*K. A gradient
// product whose stored input is copy-invariant first sums the K error signals of each sample
// (a Reduce node) and then runs on N rows. The batchnorm clean pass is copy-invariant as a whole: its
// chain shrinks, its statistics (no rows) stay; so is a hybrid's BP part (clean chain, its loss
// gradient and backward chain), which runs on N rows. Other methods pass through unchanged.
import { batchNormStats, elementCount, gradProductInputs } from '../ir/graph.js';
import type { Graph, IrNode, TensorInfo } from '../ir/types.js';
import { isMethod, methodOf } from './methods/registry.js';

const rowClasses: ReadonlySet<TensorInfo['cls']> = new Set(['input', 'activation', 'gradient', 'loss']);

/** Whether every row-carrying input of the node is copy-invariant (and it has one). */
function readsInvariantRows(graph: Graph, node: IrNode, invariant: ReadonlySet<string>): boolean {
  const rowInputs = node.inputs.filter((t) => rowClasses.has(graph.tensors[t]!.cls));
  return rowInputs.length > 0 && rowInputs.every((t) => invariant.has(t));
}

/** Tensors computed from the input and labels alone: the clean chains, and a hybrid's BP loss and backward chain. */
function invariantTensors(graph: Graph): Set<string> {
  const invariant = new Set<string>(['x', 'labels']);
  for (const node of graph.nodes) {
    if (node.kind === 'NoiseInject' || node.perStep) continue;
    if (readsInvariantRows(graph, node, invariant)) for (const t of node.outputs) invariant.add(t);
  }
  return invariant;
}

function shrink(node: IrNode, K: number): IrNode {
  switch (node.kind) {
    case 'MatMul':
      // Attention's products are one group per row and head (expand-tokens.ts); a layer's product has one group.
      return node.groups > 1 ? { ...node, groups: node.groups / K } : { ...node, m: node.m / K };
    case 'Conv2d':
      return { ...node, batch: node.batch / K };
    case 'BiasAct':
    case 'BatchNorm':
    case 'Pool':
    case 'Add':
    case 'LayerNorm':
    case 'Softmax':
    case 'TokenOp':
      return { ...node, elements: node.elements / K };
    case 'Loss':
      return { ...node, rows: node.rows / K };
    default:
      throw new Error(`fold: node ${node.id} (${node.kind}) cannot be copy-invariant`);
  }
}

/** Reduce over the K copies of each sample, then the product on N rows. */
function foldGradProduct(
  graph: Graph,
  node: Extract<IrNode, { kind: 'GradProduct' }>,
  K: number,
  tensors: Graph['tensors'],
): IrNode[] {
  const { operands, stats } = gradProductInputs(node);
  const [stored, source, ...rest] = operands;
  const sourceInfo = graph.tensors[source!]!;
  const rows = sourceInfo.shape[0]! / K;
  const delta: TensorInfo = {
    id: `${node.layer}.delta`,
    shape: [rows, ...sourceInfo.shape.slice(1)],
    dtype: graph.meta.floatBytes === 2 ? 'f16' : 'f32',
    cls: 'gradient',
    layer: node.layer,
  };
  tensors[delta.id] = delta;
  const reduce: IrNode = {
    id: `${node.layer}.reduce-copies`,
    kind: 'Reduce',
    phase: 'gradient',
    layer: node.layer,
    inputs: [source!, ...rest],
    outputs: [delta.id],
    elements: elementCount(delta.shape),
    factor: K,
    copies: K,
    noiseScale: node.noiseScale ?? 1,
    ...(node.liveTokens ? { liveTokens: node.liveTokens } : {}),
  };
  // The noise is read by the Reduce: the product on N rows reads plain error-signal sums.
  const inputs = [stored!, delta.id, ...(stats === undefined ? [] : [stats])];
  return [reduce, { ...node, inputs, k: node.k / K, signs: false, noiseScale: undefined, liveTokens: undefined }];
}

/** Attention's per-head tensors: rows x heads groups of [tokens, head width] (or [tokens, tokens]). */
function perHeadTensors(graph: Graph): Set<string> {
  const heads = new Set<string>();
  for (const n of graph.nodes) {
    const perHead =
      (n.kind === 'MatMul' && n.groups > 1) ||
      n.kind === 'Softmax' ||
      (n.kind === 'TokenOp' && (n.op === 'split-heads' || n.op === 'merge-heads'));
    if (perHead) for (const t of n.outputs) heads.add(t);
  }
  return heads;
}

/** A parameter-shaped tensor: weights, optimizer state, or a parameter (or sigma) gradient, one axis of values. */
function withoutRows(info: Graph['tensors'][string]): boolean {
  return (
    info.cls === 'weight' || info.cls === 'optimizer-state' || (info.cls === 'gradient' && info.shape.length === 1)
  );
}

export function foldCopyInvariant(graph: Graph): Graph {
  const K = graph.meta.copies;
  if (K === 1 || !isMethod(graph.meta.method) || methodOf(graph.meta.method).noiseSpace !== 'activation') return graph;
  // Copy-invariant tensors on N*K rows shrink; batchnorm statistics have no rows (even where N*K is 2),
  // nor have a hybrid BP layer's parameter gradient and its optimizer values (128 LayerNorm values at N*K 128).
  const copyRows = graph.meta.batch * K;
  const stats = new Set(graph.nodes.flatMap((n) => (n.kind === 'BatchNorm' ? [batchNormStats(n)] : [])));
  const all = invariantTensors(graph);
  const heads = perHeadTensors(graph);
  const invariant = new Set(
    [...all].filter((t) => {
      const info = graph.tensors[t]!;
      if (stats.has(t) || withoutRows(info)) return false;
      const rows = info.shape[0]!;
      return rows === copyRows || (heads.has(t) && rows % copyRows === 0);
    }),
  );
  const tensors: Graph['tensors'] = {};
  for (const [id, t] of Object.entries(graph.tensors)) {
    tensors[id] = invariant.has(id) ? { ...t, shape: [t.shape[0]! / K, ...t.shape.slice(1)] } : t;
  }
  const nodes = graph.nodes.flatMap((node): IrNode[] => {
    if (node.kind === 'GradProduct' && readsInvariantRows(graph, node, all)) return [{ ...node, k: node.k / K }];
    if (node.kind === 'GradProduct' && invariant.has(node.inputs[0]!)) return foldGradProduct(graph, node, K, tensors);
    if (node.outputs.some((t) => invariant.has(t))) return [shrink(node, K)];
    return [node];
  });
  return { ...graph, tensors, nodes };
}
