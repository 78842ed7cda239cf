// Host output arrays a node's kernel may write into the next time the node runs (the kernels' `reuse`
// argument, kernels/names.ts): ALR's noisy layer output and its sign words, LR's eps and noisy output,
// are N*K x units per layer, allocated afresh every step before, and that garbage was most of a step's
// collection work. A node may keep several sets, one per role.
// A node's arrays are handed back only when the same node of the same step graph runs again for the
// same rows (micro-batches of one step run interleaved, so each keeps its own), by then the step that
// read them has ended; arrays that leave the step (a graph output port) are never kept. A gradient
// product keeps its float64 error signal the same way (role 'signal'). Not a kernel.
import type { NoiseOutputs } from '../../../kernels/names.js';
import type { Graph, IrNode } from '../../ir/types.js';

type Held = NoiseOutputs | { signal: Float64Array };

export class StepBuffers {
  private readonly held = new WeakMap<Graph, Map<string, Held>>();

  /** What this node left when it last ran on these rows (its values are no longer read), or undefined. */
  take(graph: Graph, node: IrNode, firstSample: number, role: string): NoiseOutputs | undefined {
    const kept = this.taken(graph, node, firstSample, role);
    return kept && 'out' in kept ? kept : undefined;
  }

  /** The float64 error signal this node formed when it last ran on these rows, or undefined. */
  takeSignal(graph: Graph, node: IrNode, firstSample: number): Float64Array | undefined {
    const kept = this.taken(graph, node, firstSample, 'signal');
    return kept && 'signal' in kept ? kept.signal : undefined;
  }

  private taken(graph: Graph, node: IrNode, firstSample: number, role: string): Held | undefined {
    const byNode = this.held.get(graph);
    const key = `${node.id}|${firstSample}|${role}`;
    const kept = byNode?.get(key);
    byNode?.delete(key);
    return kept;
  }

  /** Keeps the host arrays a node produced for its next run, unless the step hands them out. */
  keep(graph: Graph, node: IrNode, firstSample: number, role: string, out: NoiseOutputs): void {
    if (node.outputs.some((id) => graph.outputs.some((p) => p.tensor === id))) return;
    this.hold(graph, node, firstSample, role, out);
  }

  /** Keeps a gradient product's error signal (never a node output, so never handed out) for its next run. */
  keepSignal(graph: Graph, node: IrNode, firstSample: number, signal: Float64Array): void {
    this.hold(graph, node, firstSample, 'signal', { signal });
  }

  private hold(graph: Graph, node: IrNode, firstSample: number, role: string, out: Held): void {
    let byNode = this.held.get(graph);
    if (!byNode) this.held.set(graph, (byNode = new Map()));
    byNode.set(`${node.id}|${firstSample}|${role}`, out);
  }
}
