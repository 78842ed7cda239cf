// Pass for schedules that split rows over several cores (data-parallel, sequential, and pipeline
// stages with several cores): every per-row gradient product (and learned sigma's gradient) split
// over p > 1 cores yields a partial gradient on each of them; an AllReduce node over those p cores
// sums them before the optimizer update reads the result. Per-step gradient products (ES/AES) split their output rows
// instead and need none.
import type { Graph, IrNode } from '../ir/types.js';

/** `participantsOf(node)`: the cores a gradient product's rows are split over. */
export function insertAllReduce(graph: Graph, participantsOf: (node: IrNode) => number): Graph {
  const tensors = { ...graph.tensors };
  const renamed = new Map<string, string>();
  const nodes = graph.nodes.flatMap((node): IrNode[] => {
    const inputs = node.inputs.map((t) => renamed.get(t) ?? t);
    const current = { ...node, inputs } as IrNode;
    const participants = participantsOf(node);
    const rowSum = node.kind === 'GradProduct' || node.kind === 'SigmaGrad';
    if (!rowSum || node.perStep || participants <= 1) return [current];
    const gradient = node.outputs[0]!;
    const info = graph.tensors[gradient]!;
    const reduced = `${gradient}.reduced`;
    tensors[reduced] = { ...info, id: reduced };
    renamed.set(gradient, reduced);
    const elements = info.shape.reduce((a, b) => a * b, 1);
    const allReduce: IrNode = {
      id: `${gradient}.allreduce`,
      kind: 'AllReduce',
      phase: 'communication',
      perStep: true,
      ...(node.layer ? { layer: node.layer } : {}),
      inputs: [gradient],
      outputs: [reduced],
      elements,
      participants,
    };
    return [current, allReduce];
  });
  return { ...graph, tensors, nodes };
}
