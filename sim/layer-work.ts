// The work of one iteration by network layer: multiply-accumulates (GEMM-like tasks) and vector
// operations (elements x operations per element) of every task, summed over its shards, tiles and
// micro-batches. Tasks of no layer (the loss, broadcasts, transfers) are listed under "(step)".
import type { CompiledStep } from '../src/compiler/types.js';
import { workMacs } from '../src/hw/timing/unit-timing.js';

export interface LayerWork {
  layer: string;
  macs: number;
  vectorOps: number;
}

export function workByLayer(step: CompiledStep): LayerWork[] {
  const layerOf = new Map(step.graph.nodes.map((node) => [node.id, node.layer ?? '(step)']));
  const byLayer = new Map<string, LayerWork>();
  for (const task of step.tasks) {
    const layer = layerOf.get(task.node) ?? '(step)';
    const entry = byLayer.get(layer) ?? { layer, macs: 0, vectorOps: 0 };
    entry.macs += workMacs(task.work);
    if (task.work.kind === 'vector') entry.vectorOps += task.work.elements * task.work.opsPerElement;
    byLayer.set(layer, entry);
  }
  return [...byLayer.values()];
}
