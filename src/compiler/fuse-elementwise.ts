// Pass 3, fuse elementwise ops: a bias add (BiasAct 'none') followed by an activation (BiasAct
// relu/tanh) becomes one BiasAct when nothing else reads the intermediate tensor — so BP, whose
// backward reads the activation's input, keeps it, while LR/ALR/ES fuse it away. Only forward
// nodes fuse; the intermediate tensor disappears from the graph.
import { consumerIndex } from '../ir/graph.js';
import type { Graph, IrNode } from '../ir/types.js';

type BiasAct = Extract<IrNode, { kind: 'BiasAct' }>;

function fusable(first: IrNode, second: IrNode | undefined, readers: number): second is BiasAct {
  return (
    first.kind === 'BiasAct' && first.act === 'none' && first.phase === 'forward' &&
    second?.kind === 'BiasAct' && second.act !== 'none' && second.phase === 'forward' &&
    second.inputs.length === 1 && second.inputs[0] === first.outputs[0] && readers === 1 &&
    second.elements === first.elements
  );
}

export function fuseElementwise(graph: Graph): Graph {
  const consumers = consumerIndex(graph);
  const tensors = { ...graph.tensors };
  const nodes: IrNode[] = [];
  const absorbed = new Set<string>();
  for (const node of graph.nodes) {
    if (absorbed.has(node.id)) continue;
    const intermediate = node.outputs[0];
    const readers = intermediate ? (consumers.get(intermediate) ?? []) : [];
    const next = readers[0];
    if (node.kind === 'BiasAct' && fusable(node, next, readers.length)) {
      absorbed.add(next.id);
      delete tensors[intermediate!];
      nodes.push({ ...node, id: `${node.id}+${next.act}`, act: next.act, outputs: next.outputs });
    } else {
      nodes.push(node);
    }
  }
  return { ...graph, tensors, nodes };
}
