// The step graph's ports: the tensors its caller sets before a step (the batch, the labels, each layer's
// parameters, learned sigma and optimizer state) and reads after it (each layer's gradient and sigma
// gradient, the updated parameters, sigma and state). Found once here, from the expanders' nodes, so the
// runtime finds them in the graph instead of by tensor-id conventions. Later passes keep these tensors.
import type { Graph, GraphPort, IrNode } from '../ir/types.js';

type Update = Extract<IrNode, { kind: 'OptimizerUpdate' }>;

function updatePorts(n: Update): { inputs: GraphPort[]; outputs: GraphPort[] } {
  const layer = n.layer!;
  const sigma = n.target === 'sigma';
  const [values, , state] = n.inputs;
  const [next, stateNext] = n.outputs;
  const stateRole = sigma ? 'sigma-optimizer-state' : 'optimizer-state';
  const role = sigma ? 'sigma' : 'params';
  const inputs: GraphPort[] = [{ tensor: values!, role, layer }];
  const outputs: GraphPort[] = [{ tensor: next!, role, layer }];
  if (state !== undefined) inputs.push({ tensor: state, role: stateRole, layer });
  if (stateNext !== undefined) outputs.push({ tensor: stateNext, role: stateRole, layer });
  return { inputs, outputs };
}

/** The graph with its ports declared: `x` and `labels` in; per update and gradient product, the layer's ports. */
export function declarePorts(graph: Omit<Graph, 'inputs' | 'outputs'>): Graph {
  const inputs: GraphPort[] = [
    { tensor: 'x', role: 'batch' },
    { tensor: 'labels', role: 'labels' },
  ];
  const outputs: GraphPort[] = [];
  for (const n of graph.nodes) {
    if (n.kind === 'OptimizerUpdate') {
      const ports = updatePorts(n);
      inputs.push(...ports.inputs);
      outputs.push(...ports.outputs);
    } else if (n.kind === 'GradProduct') outputs.push({ tensor: n.outputs[0]!, role: 'gradient', layer: n.layer! });
    else if (n.kind === 'SigmaGrad') outputs.push({ tensor: n.outputs[0]!, role: 'sigma-gradient', layer: n.layer! });
  }
  return { ...graph, inputs, outputs };
}
