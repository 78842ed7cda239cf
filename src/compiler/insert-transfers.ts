// Pass for pipelined schedules: wherever a node reads a tensor produced on another stage, a
// Transfer node copies it there first (one copy per tensor and destination stage), and the reader
// reads the copy. The Transfer runs on the producing stage's cores (each sends its row shard); its
// fromCore/toCore name the first core of each stage. Under LR/ALR the only backward traffic this
// creates is the loss vector; under BP it is the activation gradients. Step sources (input,
// weights) are not transferred: they are loaded where they are used.
import { tensorBytes } from '../ir/tensor-bytes.js';
import type { Graph, IrNode } from '../ir/types.js';
import type { Stage } from './types.js';

export function insertTransfers(
  graph: Graph,
  stageOfNode: Map<string, number>,
  stages: Stage[],
): { graph: Graph; stageOfNode: Map<string, number> } {
  const producer = new Map<string, IrNode>();
  for (const node of graph.nodes) for (const t of node.outputs) producer.set(t, node);
  const tensors = { ...graph.tensors };
  const stageOf = new Map(stageOfNode);
  const firstCore = (s: number): number => stages[s]?.cores[0] ?? s;
  const inserted = new Map<string, IrNode[]>();
  const copyOf = (tensor: string, from: IrNode, toStage: number): string => {
    const toCore = firstCore(toStage);
    const id = `${tensor}@core${toCore}`;
    if (tensors[id]) return id;
    const info = graph.tensors[tensor]!;
    tensors[id] = { ...info, id };
    const fromStage = stageOf.get(from.id)!;
    const node: IrNode = {
      id: `${tensor}.to-core${toCore}`,
      kind: 'Transfer',
      phase: from.phase === 'forward' ? 'forward' : 'communication',
      ...(info.layer ? { layer: info.layer } : {}),
      ...(from.perStep ? { perStep: true } : {}),
      inputs: [tensor],
      outputs: [id],
      bytes: tensorBytes(info, graph.meta.floatBytes),
      fromCore: firstCore(fromStage),
      toCore,
    };
    stageOf.set(node.id, fromStage);
    inserted.set(from.id, [...(inserted.get(from.id) ?? []), node]);
    return id;
  };
  const rewritten = graph.nodes.map((node) => {
    const stage = stageOf.get(node.id)!;
    const inputs = node.inputs.map((t) => {
      const from = producer.get(t);
      return from && stageOf.get(from.id) !== stage ? copyOf(t, from, stage) : t;
    });
    return { ...node, inputs } as IrNode;
  });
  const nodes = rewritten.flatMap((node) => [node, ...(inserted.get(node.id) ?? [])]);
  return { graph: { ...graph, tensors, nodes }, stageOfNode: stageOf };
}
