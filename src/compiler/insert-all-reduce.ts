// Pass for data-parallel schedules: every per-row gradient product yields a partial gradient on
// each core; an AllReduce node sums them before the optimizer update reads the result.
// Per-step gradient products (ES/AES) already see every row and need none.
import type { Graph, IrNode } from '../ir/types.js';

export function insertAllReduce(graph: Graph, participants: number): Graph {
  if (participants <= 1) return graph;
  const tensors = { ...graph.tensors };
  const renamed = new Map<string, string>();
  const nodes = graph.nodes.flatMap((node): IrNode[] => {
    const inputs = node.inputs.map((t) => renamed.get(t) ?? t);
    const current = { ...node, inputs } as IrNode;
    if (node.kind !== 'GradProduct' || node.perStep) return [current];
    const gradient = node.outputs[0]!;
    const info = graph.tensors[gradient]!;
    const reduced = `${gradient}.reduced`;
    tensors[reduced] = { ...info, id: reduced };
    renamed.set(gradient, reduced);
    const elements = info.shape.reduce((a, b) => a * b, 1);
    const allReduce: IrNode = {
      id: `${gradient}.allreduce`, kind: 'AllReduce', phase: 'communication', perStep: true,
      ...(node.layer ? { layer: node.layer } : {}), inputs: [gradient], outputs: [reduced], elements, participants,
    };
    return [current, allReduce];
  });
  return { ...graph, tensors, nodes };
}
