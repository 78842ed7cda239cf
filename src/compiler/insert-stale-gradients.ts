// Staleness 1 as structure of the step graph: each optimizer update applies the gradient the previous
// step left in a stale buffer (a graph tensor of class optimizer-state, a step input and output like
// SGD's velocity, so the simulator places and counts it) and keeps this step's gradient there for the
// next step. The update still reads this step's gradient, so it runs after the step's gradient work as
// before; what changes is which gradient it applies and the buffer it carries across steps.
import type { Graph, GraphPort, IrNode, TensorInfo } from '../ir/types.js';

type Update = Extract<IrNode, { kind: 'OptimizerUpdate' }>;

/** The stale buffer of an update's gradient: `<layer>.grad.stale`, or `<layer>.sigma.grad.stale` for learned sigma. */
export function staleGradientId(update: Update): string {
  return `${update.layer!}${update.target === 'sigma' ? '.sigma' : ''}.grad.stale`;
}

function staleUpdate(
  node: Update,
  tensors: Record<string, TensorInfo>,
): { node: Update; inputs: GraphPort[]; outputs: GraphPort[] } {
  const [values, fresh, ...state] = node.inputs;
  const stale = staleGradientId(node);
  tensors[stale] = { ...tensors[fresh!]!, id: stale, cls: 'optimizer-state', layer: node.layer! };
  tensors[`${stale}.next`] = { ...tensors[stale]!, id: `${stale}.next` };
  const role = node.target === 'sigma' ? ('stale-sigma-gradient' as const) : ('stale-gradient' as const);
  const layer = node.layer!;
  return {
    node: {
      ...node,
      stale: true,
      inputs: [values!, stale, ...state, fresh!],
      outputs: [...node.outputs, `${stale}.next`],
    },
    inputs: [{ tensor: stale, role, layer }],
    outputs: [{ tensor: `${stale}.next`, role, layer }],
  };
}

/** The step graph with every update reading a stale buffer (staleness 1); the graph itself otherwise. */
export function insertStaleGradients(graph: Graph, staleness: 0 | 1): Graph {
  if (staleness === 0) return graph;
  const tensors = { ...graph.tensors };
  const inputs = [...graph.inputs];
  const outputs = [...graph.outputs];
  const nodes = graph.nodes.map((n) => {
    if (n.kind !== 'OptimizerUpdate') return n;
    const late = staleUpdate(n, tensors);
    inputs.push(...late.inputs);
    outputs.push(...late.outputs);
    return late.node;
  });
  return { ...graph, tensors, inputs, outputs, nodes };
}

/** An update's inputs by meaning: values, the gradient it applies, its optimizer state, and (stale) this step's gradient. */
export function updateInputs(node: Update): { values: string; applied: string; state?: string; fresh: string } {
  const [values, applied, ...rest] = node.inputs as [string, string, ...string[]];
  const fresh = node.stale ? rest.pop()! : applied;
  return { values, applied, fresh, ...(rest[0] === undefined ? {} : { state: rest[0] }) };
}
