// The work of one iteration by network layer: multiply-accumulates (GEMM-like nodes) and vector
// operations (elements x operations per element) of every node of the step graph. Counted on the
// graph, the same on every hardware model; the simulator's tasks share each node's rows in whole
// pieces that sum to it exactly (src/compiler/shard-split.ts), so their sum is the same (it used to
// overstate the work: vit-tiny's attention on 17 tokens over gpu-like's cores counted 3.8x its
// MACs). Nodes of no layer (the loss, broadcasts) are listed under "(step)"; transfers and
// collectives move data and count nothing.
import type { CompiledStep } from '../src/compiler/types.js';
import { workMacs } from '../src/hw/timing/unit-timing.js';
import { workOf } from '../src/ir/work-of.js';

export interface LayerWork {
  layer: string;
  macs: number;
  vectorOps: number;
}

export function workByLayer(step: CompiledStep): LayerWork[] {
  const byLayer = new Map<string, LayerWork>();
  for (const node of step.graph.nodes) {
    const layer = node.layer ?? '(step)';
    const work = workOf(node, step.graph.meta.floatBytes);
    const entry = byLayer.get(layer) ?? { layer, macs: 0, vectorOps: 0 };
    entry.macs += workMacs(work);
    if (work.kind === 'vector') entry.vectorOps += work.elements * work.opsPerElement;
    byLayer.set(layer, entry);
  }
  return [...byLayer.values()];
}

/** Multiply-accumulates of one iteration: every GEMM-like node of the step graph, whatever the hardware. */
export function macsPerIteration(step: CompiledStep): number {
  return step.graph.nodes.reduce((sum, node) => sum + workMacs(workOf(node, step.graph.meta.floatBytes)), 0);
}
