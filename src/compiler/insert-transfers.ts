// Pass for pipelined schedules: wherever a node reads a tensor produced on another core, a
// Transfer node copies it there first (one copy per tensor and destination core), and the reader
// reads the copy. Under LR/ALR the only backward traffic this creates is the loss vector; under BP
// it is the activation gradients. Step sources (input, weights) are not transferred: they are
// loaded where they are used.
import { tensorBytes } from '../ir/tensor-bytes.js';
import type { Graph, IrNode } from '../ir/types.js';

export function insertTransfers(graph: Graph, coreOfNode: Map<string, number>): { graph: Graph; coreOfNode: Map<string, number> } {
  const producer = new Map<string, IrNode>();
  for (const node of graph.nodes) for (const t of node.outputs) producer.set(t, node);
  const tensors = { ...graph.tensors };
  const cores = new Map(coreOfNode);
  const inserted = new Map<string, IrNode[]>();
  const copyOf = (tensor: string, from: IrNode, toCore: number): string => {
    const id = `${tensor}@core${toCore}`;
    if (tensors[id]) return id;
    const info = graph.tensors[tensor]!;
    tensors[id] = { ...info, id };
    const fromCore = cores.get(from.id)!;
    const node: IrNode = {
      id: `${tensor}.to-core${toCore}`, kind: 'Transfer', phase: from.phase === 'forward' ? 'forward' : 'communication',
      ...(info.layer ? { layer: info.layer } : {}), ...(from.perStep ? { perStep: true } : {}),
      inputs: [tensor], outputs: [id], bytes: tensorBytes(info, graph.meta.floatBytes), fromCore, toCore,
    };
    cores.set(node.id, fromCore);
    inserted.set(from.id, [...(inserted.get(from.id) ?? []), node]);
    return id;
  };
  const rewritten = graph.nodes.map((node) => {
    const core = cores.get(node.id)!;
    const inputs = node.inputs.map((t) => {
      const from = producer.get(t);
      return from && cores.get(from.id) !== core ? copyOf(t, from, core) : t;
    });
    return { ...node, inputs } as IrNode;
  });
  const nodes = rewritten.flatMap((node) => [node, ...(inserted.get(node.id) ?? [])]);
  return { graph: { ...graph, tensors, nodes }, coreOfNode: cores };
}
