// Host output arrays a node's kernel may write into the next time the node runs (the kernels' `reuse`
// argument, kernels/names.ts): ALR's noisy layer output and its sign words, LR's eps and noisy output,
// are N*K x units per layer, allocated afresh every step before, and that garbage was most of a step's
// collection work. A node may keep several sets, one per role.
// A node's arrays are handed back only when the same node of the same step graph runs again for the
// same rows (micro-batches of one step run interleaved, so each keeps its own), by then the step that
// read them has ended; arrays that leave the step (a graph output port) are never kept. Not a kernel.
import type { NoiseOutputs } from '../../../kernels/names.js';
import type { Graph, IrNode } from '../../ir/types.js';

export class StepBuffers {
  private readonly held = new WeakMap<Graph, Map<string, NoiseOutputs>>();

  /** What this node left when it last ran on these rows (its values are no longer read), or undefined. */
  take(graph: Graph, node: IrNode, firstSample: number, role: string): NoiseOutputs | undefined {
    const byNode = this.held.get(graph);
    const key = `${node.id}|${firstSample}|${role}`;
    const kept = byNode?.get(key);
    byNode?.delete(key);
    return kept;
  }

  /** Keeps the host arrays a node produced for its next run, unless the step hands them out. */
  keep(graph: Graph, node: IrNode, firstSample: number, role: string, out: NoiseOutputs): void {
    if (node.outputs.some((id) => graph.outputs.some((p) => p.tensor === id))) return;
    let byNode = this.held.get(graph);
    if (!byNode) this.held.set(graph, (byNode = new Map()));
    byNode.set(`${node.id}|${firstSample}|${role}`, out);
  }
}
