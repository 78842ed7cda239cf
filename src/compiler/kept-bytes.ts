// Kept bytes by tensor class: what a training step holds from the moment a tensor is produced
// until the loss vector is known (the accounting rule shared with src/estimators). Read from the
// graph's structure: a tensor is kept when it exists before the loss (a step input or the output
// of a forward node) and is read after it (by a backward, gradient, update or communication node);
// the loss vectors the loss nodes produce are kept as well. Broadcast copies of the loss,
// regenerated noise and gradients are produced after the loss and so are never kept.
import { producerIndex } from '../ir/graph.js';
import { tensorBytes } from '../ir/tensor-bytes.js';
import type { Graph, Phase, TensorClass } from '../ir/types.js';

export type KeptClass = 'activation' | 'noise' | 'sign-bits' | 'loss';
export const keptClasses: readonly KeptClass[] = ['activation', 'noise', 'sign-bits', 'loss'];
export type KeptBytes = Record<KeptClass, number>;

const afterLoss: ReadonlySet<Phase> = new Set(['backward', 'gradient', 'update', 'communication']);

/** The step's network input counts as an activation: it is the first layer's stored input. */
function keptClassOf(cls: TensorClass): KeptClass | undefined {
  if (cls === 'input' || cls === 'activation') return 'activation';
  if (cls === 'noise' || cls === 'sign-bits' || cls === 'loss') return cls;
  return undefined;
}

/** Ids of the kept tensors of a graph. */
export function keptTensors(graph: Graph): string[] {
  const producers = producerIndex(graph);
  const readAfterLoss = new Set(graph.nodes.filter((n) => afterLoss.has(n.phase)).flatMap((n) => n.inputs));
  return Object.values(graph.tensors)
    .filter((t) => {
      const producer = producers.get(t.id);
      if (t.cls === 'loss') return producer?.kind === 'Loss';
      const beforeLoss = producer === undefined || producer.phase === 'forward';
      return keptClassOf(t.cls) !== undefined && beforeLoss && readAfterLoss.has(t.id);
    })
    .map((t) => t.id)
    .sort();
}

export function keptBytes(graph: Graph): KeptBytes {
  const bytes: KeptBytes = { activation: 0, noise: 0, 'sign-bits': 0, loss: 0 };
  for (const id of keptTensors(graph)) {
    const t = graph.tensors[id]!;
    bytes[keptClassOf(t.cls)!] += tensorBytes(t, graph.meta.floatBytes);
  }
  return bytes;
}
