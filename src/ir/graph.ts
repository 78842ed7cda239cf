// Graph helpers shared by the verifier, the printer and the compiler passes: element counts,
// producer and consumer indexes, ancestor walks. Pure functions over the Graph contract; no passes here.
import type { Graph, IrNode, TensorInfo } from './types.js';

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The node that produces each tensor (graph sources have none). */
export function producerIndex(graph: Graph): Map<string, IrNode> {
  const producers = new Map<string, IrNode>();
  for (const node of graph.nodes) for (const t of node.outputs) producers.set(t, node);
  return producers;
}

/** The nodes that read each tensor, in graph order. */
export function consumerIndex(graph: Graph): Map<string, IrNode[]> {
  const consumers = new Map<string, IrNode[]>();
  for (const node of graph.nodes) {
    for (const t of node.inputs) {
      const list = consumers.get(t);
      if (list) list.push(node);
      else consumers.set(t, [node]);
    }
  }
  return consumers;
}

/** Ids of every node the given node transitively depends on (not itself). */
export function nodeAncestors(graph: Graph, nodeId: string): Set<string> {
  const producers = producerIndex(graph);
  const start = graph.nodes.find((n) => n.id === nodeId);
  if (!start) throw new Error(`nodeAncestors: no node ${nodeId} in graph ${graph.meta.network}`);
  const seen = new Set<string>();
  const stack = [...start.inputs];
  while (stack.length > 0) {
    const producer = producers.get(stack.pop()!);
    if (!producer || seen.has(producer.id)) continue;
    seen.add(producer.id);
    stack.push(...producer.inputs);
  }
  return seen;
}

/** Tensors a node chain starts from: read somewhere, produced nowhere. */
export function sourceTensors(graph: Graph): TensorInfo[] {
  const producers = producerIndex(graph);
  const read = new Set(graph.nodes.flatMap((n) => n.inputs));
  return Object.values(graph.tensors).filter((t) => read.has(t.id) && !producers.has(t.id));
}

/** Tensor classes that exist before the step starts, so they may have no producer. */
export const sourceClasses: ReadonlySet<TensorInfo['cls']> = new Set(['input', 'weight', 'optimizer-state']);

/**
 * A GradProduct's operands, (input, dL/dz), (input, error-signal sums) or (input, noise, loss[, sigma]),
 * and, for a batchnorm layer, the statistics tensor it reads last.
 */
export function gradProductInputs(node: Extract<IrNode, { kind: 'GradProduct' }>): {
  operands: string[];
  stats?: string;
} {
  if (!node.batchStats) return { operands: node.inputs };
  return { operands: node.inputs.slice(0, -1), stats: node.inputs.at(-1)! };
}

/** The [2, channels] statistics a BatchNorm reads or writes (forward) or reads (backward); undefined when it has none. */
export function batchNormStats(node: Extract<IrNode, { kind: 'BatchNorm' }>): string | undefined {
  return node.phase === 'backward' ? node.inputs[3] : (node.inputs[2] ?? node.outputs[1]);
}
