// The compiler's entry point: network + hardware model + options -> CompiledStep. Runs the pure
// passes in order (expand, fold copy-invariant work, fuse elementwise ops), then the
// schedule-specific ones (stage partition and transfers for pipelined schedules, row shards and
// all-reduce for data-parallel), builds the ordered task list, maps tensors onto memory levels
// and checks feasibility. It never throws for an infeasible mapping: the caller decides (the CLI
// exits 3 with the shortfall).
import type { HwModel } from '../hw/types.js';
import type { Graph } from '../ir/types.js';
import type { Network } from '../models/layers.js';
import { buildTasks, type TaskPlan } from './build-tasks.js';
import { resolveCompileOptions, type CompileOptionsInput } from './compile-options.js';
import { expand } from './expand.js';
import { checkFeasibility } from './feasibility.js';
import { foldCopyInvariant } from './fold-copy-invariant.js';
import { fuseElementwise } from './fuse-elementwise.js';
import { insertAllReduce } from './insert-all-reduce.js';
import { insertTransfers } from './insert-transfers.js';
import { isPipelined, mapMemory } from './map-memory.js';
import { partitionStages } from './partition-stages.js';
import type { CompiledStep, CompileOptions, Stage } from './types.js';

/** Each pass's output graph, in order (tests verify every one). */
export interface PassTrace {
  pass: string;
  graph: Graph;
}

/** The step graph before any mapping: expand, fold, fuse. */
export function stepGraph(network: Network, options: CompileOptions, trace?: PassTrace[]): Graph {
  let graph = expand(network, options);
  trace?.push({ pass: 'expand', graph });
  graph = foldCopyInvariant(graph);
  trace?.push({ pass: 'fold-copy-invariant', graph });
  graph = fuseElementwise(graph);
  trace?.push({ pass: 'fuse-elementwise', graph });
  return graph;
}

function singleStage(network: Network, graph: Graph, cores: number[]): Stage[] {
  return [{ index: 0, layers: network.layers.map((l) => l.name), cores, estimatedCycles: 0 }];
}

/** Graph, stages and core assignment for the chosen schedule. */
function mapSchedule(network: Network, hw: HwModel, options: CompileOptions, graph: Graph, trace?: PassTrace[]): Omit<TaskPlan, 'hw' | 'options'> & { stages: Stage[] } {
  const partition = partitionStages(graph, network, hw, isPipelined(options.schedule) ? hw.cores.count : 1);
  if (isPipelined(options.schedule)) {
    const mapped = insertTransfers(graph, partition.stageOfNode);
    trace?.push({ pass: 'insert-transfers', graph: mapped.graph });
    return { graph: mapped.graph, coreOfNode: mapped.coreOfNode, stages: partition.stages, parts: options.microBatches, partKind: 'micro-batch' };
  }
  const zero = new Map(graph.nodes.map((n) => [n.id, 0]));
  const shards = Math.min(hw.cores.count, options.batch);
  if (options.schedule === 'data-parallel' && shards > 1) {
    const reduced = insertAllReduce(graph, shards);
    trace?.push({ pass: 'insert-all-reduce', graph: reduced });
    const cores = Array.from({ length: shards }, (_, c) => c);
    const stages = [{ ...partition.stages[0]!, cores, estimatedCycles: Math.ceil(partition.stages[0]!.estimatedCycles / cores.length) }];
    return { graph: reduced, coreOfNode: new Map(reduced.nodes.map((n) => [n.id, 0])), stages, parts: shards, partKind: 'shard' };
  }
  const stages = partition.stages.length > 0 ? partition.stages : singleStage(network, graph, [0]);
  return { graph, coreOfNode: zero, stages, parts: 1, partKind: 'micro-batch' };
}

export function compile(network: Network, hw: HwModel, input: CompileOptionsInput, trace?: PassTrace[]): CompiledStep {
  const options = resolveCompileOptions(input);
  const graph = stepGraph(network, options, trace);
  const { stages, ...mapped } = mapSchedule(network, hw, options, graph, trace);
  const plan: TaskPlan = { ...mapped, hw, options };
  const { tasks, placements } = mapMemory(plan, buildTasks(plan));
  const feasibility = checkFeasibility(plan.graph, hw, options.schedule, tasks, placements);
  return { graph: plan.graph, hw, options, stages, tasks, placements, feasibility };
}
