// Micro-batches as structure of the step graph: under M > 1 micro-batches every per-micro-batch weight
// gradient (a gradient product, learned sigma's gradient) is marked `accumulate=M`: its M instances sum
// into one gradient buffer, which the per-step nodes after it (all-reduce, update) read. The sum is in
// place (each instance's product adds into the buffer as it is written, as a systolic array accumulates
// partial sums), so it is an attribute of the producing node, not a node with a pass of its own.
import type { Graph, IrNode } from '../ir/types.js';

export function markAccumulation(graph: Graph, microBatches: number): Graph {
  if (microBatches <= 1) return graph;
  const accumulates = (n: IrNode): boolean => (n.kind === 'GradProduct' || n.kind === 'SigmaGrad') && !n.perStep;
  return { ...graph, nodes: graph.nodes.map((n) => (accumulates(n) ? { ...n, accumulate: microBatches } : n)) };
}
