// Pass 3, fuse elementwise ops: a bias add (BiasAct 'none') followed by an activation (BiasAct
// relu/tanh) becomes one BiasAct when nothing else reads the intermediate tensor — so BP, whose
// backward reads the activation's input, keeps it, while LR/ALR/ES fuse it away. A noise
// injection whose float noise only feeds a sign pack emits the sign bits directly (the float
// noise never exists). Only forward nodes fuse; intermediate tensors disappear from the graph.
import { consumerIndex } from '../ir/graph.js';
import type { Graph, IrNode } from '../ir/types.js';

type BiasAct = Extract<IrNode, { kind: 'BiasAct' }>;

function fusable(first: IrNode, second: IrNode | undefined, readers: number): second is BiasAct {
  return (
    first.kind === 'BiasAct' &&
    first.act === 'none' &&
    first.phase === 'forward' &&
    second?.kind === 'BiasAct' &&
    second.act !== 'none' &&
    second.phase === 'forward' &&
    second.inputs.length === 1 &&
    second.inputs[0] === first.outputs[0] &&
    readers === 1 &&
    second.elements === first.elements
  );
}

/** NoiseInject -> SignPack on its noise output, when nothing else reads that noise. */
function fuseSignPack(graph: Graph): Graph {
  const consumers = consumerIndex(graph);
  const tensors = { ...graph.tensors };
  const packOf = new Map<string, IrNode>();
  for (const node of graph.nodes) {
    const noise = node.kind === 'NoiseInject' ? node.outputs[1] : undefined;
    const readers = noise ? (consumers.get(noise) ?? []) : [];
    const pack = readers[0];
    if (readers.length === 1 && pack?.kind === 'SignPack' && pack.phase === node.phase) packOf.set(node.id, pack);
  }
  const absorbed = new Set([...packOf.values()].map((n) => n.id));
  const nodes = graph.nodes.flatMap((node): IrNode[] => {
    if (absorbed.has(node.id)) return [];
    const pack = packOf.get(node.id);
    if (!pack) return [node];
    delete tensors[node.outputs[1]!];
    return [{ ...node, outputs: [node.outputs[0]!, pack.outputs[0]!] }];
  });
  return { ...graph, tensors, nodes };
}

export function fuseElementwise(graph: Graph): Graph {
  return fuseBiasAct(fuseSignPack(graph));
}

function fuseBiasAct(graph: Graph): Graph {
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
