// Stage partitioning: cuts the network's top-level layers (a residual block is one unit) into
// contiguous pipeline stages, one core each, minimising the most expensive stage's estimated
// cycles (exact, by dynamic programming over cut points). Nodes without a layer (loss, broadcast)
// join the last stage. Not a scheduler: it only says which stage runs which node.
import type { HwModel } from '../hw/types.js';
import { workOf } from '../ir/work-of.js';
import type { Graph } from '../ir/types.js';
import type { Layer, Network } from '../models/layers.js';
import { estimateCycles } from './cost-model.js';
import type { Stage } from './types.js';

export interface StagePartition {
  stages: Stage[];
  /** Stage index of every node id. */
  stageOfNode: Map<string, number>;
}

function names(layer: Layer): string[] {
  return layer.kind === 'residual' ? [layer.name, ...layer.body.flatMap(names)] : [layer.name];
}

/** Contiguous split of costs into `parts` groups minimising the largest sum; returns group starts. */
function balancedCuts(costs: number[], parts: number): number[] {
  const n = costs.length;
  const prefix = [0];
  for (const c of costs) prefix.push(prefix.at(-1)! + c);
  const best: number[][] = Array.from({ length: parts + 1 }, () => new Array<number>(n + 1).fill(Infinity));
  const cut: number[][] = Array.from({ length: parts + 1 }, () => new Array<number>(n + 1).fill(0));
  best[0]![0] = 0;
  for (let p = 1; p <= parts; p++) {
    for (let i = p; i <= n; i++) {
      for (let j = p - 1; j < i; j++) {
        const cost = Math.max(best[p - 1]![j]!, prefix[i]! - prefix[j]!);
        if (cost < best[p]![i]!) {
          best[p]![i] = cost;
          cut[p]![i] = j;
        }
      }
    }
  }
  // Fewest stages that reach the optimum: extra stages only add transfers and idle cores.
  const used = best.findIndex((row, p) => p > 0 && row[n]! <= best[parts]![n]!);
  const starts: number[] = [];
  for (let p = used, i = n; p > 0; p--) {
    starts.unshift(cut[p]![i]!);
    i = cut[p]![i]!;
  }
  return starts;
}

export function partitionStages(graph: Graph, network: Network, hw: HwModel, maxStages: number): StagePartition {
  const groups = network.layers.map(names);
  const groupOf = new Map<string, number>();
  groups.forEach((list, g) => list.forEach((name) => groupOf.set(name, g)));
  const last = groups.length - 1;
  const nodeGroup = graph.nodes.map((node) => (node.layer === undefined ? last : (groupOf.get(node.layer) ?? last)));
  const costs = new Array<number>(groups.length).fill(0);
  graph.nodes.forEach((node, i) => {
    costs[nodeGroup[i]!]! += estimateCycles(workOf(node, graph.meta.floatBytes), hw);
  });
  const count = Math.max(1, Math.min(maxStages, groups.length));
  const starts = balancedCuts(costs, count);
  const stageOfGroup = groups.map((_, g) => starts.filter((s) => s <= g).length - 1);
  const stages: Stage[] = starts.map((start, s) => {
    const end = starts[s + 1] ?? groups.length;
    return {
      index: s,
      layers: network.layers.slice(start, end).map((l) => l.name),
      cores: [s],
      estimatedCycles: costs.slice(start, end).reduce((a, b) => a + b, 0),
    };
  });
  const stageOfNode = new Map(graph.nodes.map((node, i) => [node.id, stageOfGroup[nodeGroup[i]!]!]));
  return { stages, stageOfNode };
}
