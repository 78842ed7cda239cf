// The one model of a step's micro-batches and staleness, read from a step graph: the micro-batches
// (row slices of the batch input), the node instances (node, micro-batch) a step runs, which producer
// instances each waits for, and under staleness 1 which instances lag one step behind the forward
// (software pipelining: a body runs step i's forward and step i - 1's gradient work). The simulator's
// task builder (src/compiler/build-tasks.ts) and the runtime (src/train/runtime) both read it instead
// of deriving micro-batches or staleness themselves.
import type { Graph, GraphMeta, IrNode } from './types.js';

/** One micro-batch: its index and its rows of the step's batch (samples firstSample .. firstSample + samples - 1). */
export interface MicroBatch {
  index: number;
  firstSample: number;
  samples: number;
}

/** Micro-batches declared by a mapped graph (one without a layout: one). */
export function microBatchCount(meta: Pick<GraphMeta, 'microBatches'>): number {
  return meta.microBatches ?? 1;
}

/**
 * The micro-batches of a step of `samples` rows (the graph's batch unless given): min(M, samples)
 * nearly equal row slices, slice i from floor(i * samples / count).
 */
export function microBatchesOf(meta: Pick<GraphMeta, 'microBatches' | 'batch'>, samples = meta.batch): MicroBatch[] {
  const count = Math.min(microBatchCount(meta), samples);
  return Array.from({ length: count }, (_, index) => {
    const firstSample = Math.floor((index * samples) / count);
    return { index, firstSample, samples: Math.floor(((index + 1) * samples) / count) - firstSample };
  });
}

/** The micro-batches a node runs for: each of the `parts`, or [undefined] for one per-step instance. */
export function instanceMicros(node: IrNode, parts: number): (number | undefined)[] {
  return node.perStep || parts === 1 ? [undefined] : Array.from({ length: parts }, (_, p) => p);
}

/** The instances of producer `p` that instance `micro` of a node reads: its own micro-batch's, or every one. */
export function producerMicros(p: IrNode, micro: number | undefined, parts: number): (number | undefined)[] {
  const micros = instanceMicros(p, parts);
  return micros.length === 1 || micro === undefined ? micros : [micro];
}

/** Under staleness 1 a node lags one step behind the forward: gradient work, its reductions and the updates. */
export function lagsOneStep(graph: Pick<Graph, 'meta'>, node: IrNode): boolean {
  return (
    graph.meta.staleness === 1 && (node.phase === 'gradient' || node.phase === 'update' || node.kind === 'AllReduce')
  );
}

/** One node instance of a step and the producer instances it waits for (`previousStep`: one body earlier). */
export interface NodeInstance {
  node: IrNode;
  micro: number | undefined;
  deps: { node: IrNode; micros: (number | undefined)[]; previousStep: boolean }[];
}

/** The instances of a node in a step of `parts` micro-batches, with the producer instances each reads. */
export function nodeInstances(
  graph: Pick<Graph, 'meta'>,
  node: IrNode,
  producers: ReadonlyMap<string, IrNode>,
  parts: number,
): NodeInstance[] {
  return instanceMicros(node, parts).map((micro) => ({
    node,
    micro,
    deps: node.inputs.flatMap((t) => {
      const p = producers.get(t);
      if (!p) return [];
      const previousStep = lagsOneStep(graph, node) && !lagsOneStep(graph, p);
      return [{ node: p, micros: producerMicros(p, micro, parts), previousStep }];
    }),
  }));
}

/** Every node instance of a step, in graph order (micro-batch order within a node). */
export function stepInstances(graph: Graph): NodeInstance[] {
  const producers = new Map<string, IrNode>();
  for (const node of graph.nodes) for (const t of node.outputs) producers.set(t, node);
  const parts = microBatchCount(graph.meta);
  return graph.nodes.flatMap((node) => nodeInstances(graph, node, producers, parts));
}
