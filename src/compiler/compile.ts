// The compiler's entry point: network + hardware model + options -> CompiledStep. Runs the pure
// passes in order (expand, fold copy-invariant work, fuse elementwise ops), then the
// schedule-specific ones (stages on runs of cores, transfers and per-stage all-reduces for pipelined
// schedules; row shards over every core and an all-reduce for sequential and data-parallel), builds the ordered task list, maps tensors onto memory levels
// and checks feasibility. It never throws for an infeasible mapping: the caller decides (the CLI
// exits 3 with the shortfall).
import type { HwModel } from '../hw/types.js';
import type { Graph, IrNode } from '../ir/types.js';
import type { Network } from '../models/layers.js';
import { workloadOf } from '../models/workload.js';
import { workOf } from '../ir/work-of.js';
import { estimateCycles } from './cost-model.js';
import { buildTasks, type TaskPlan } from './build-tasks.js';
import { resolveCompileOptions, type CompileOptionsInput } from './compile-options.js';
import { expand } from './expand.js';
import { checkFeasibility } from './feasibility.js';
import { foldCopyInvariant } from './fold-copy-invariant.js';
import { fuseElementwise } from './fuse-elementwise.js';
import { insertAllReduce } from './insert-all-reduce.js';
import { insertStaleGradients } from './insert-stale-gradients.js';
import { markAccumulation } from './mark-accumulation.js';
import { insertTransfers } from './insert-transfers.js';
import { mapMemory } from './map-memory.js';
import { isPipelined, scheduleOf } from './schedules/registry.js';
import { partitionStages } from './partition-stages.js';
import { pipelineGradOutputSplit } from './shard-split.js';
import type { CompiledStep, CompileOptions, Stage } from './types.js';

/** Each pass's output graph, in order (tests verify every one). */
export interface PassTrace {
  pass: string;
  graph: Graph;
}

/** The step graph before any mapping: expand, fold, fuse (float width 4 bytes unless given). */
export function stepGraph(
  network: Network,
  options: CompileOptions & { floatBytes?: number },
  trace?: PassTrace[],
): Graph {
  let graph = expand(network, options);
  trace?.push({ pass: 'expand', graph });
  graph = foldCopyInvariant(graph);
  trace?.push({ pass: 'fold-copy-invariant', graph });
  graph = fuseElementwise(graph);
  trace?.push({ pass: 'fuse-elementwise', graph });
  return graph;
}

type Mapped = Omit<TaskPlan, 'hw' | 'options' | 'lockstep'> & { stages: Stage[]; stageChoice: string };

/** Chips of more cores than this are simulated in lockstep unless asked otherwise (CompileOptions.lockstep). */
const lockstepAbove = 256;

/** Whether a step runs each op's cores in lockstep: as asked, else on chips of more than lockstepAbove cores. */
export function lockstepOf(hw: HwModel, options: Pick<CompileOptions, 'lockstep'>): boolean {
  return options.lockstep ?? hw.cores.count > lockstepAbove;
}

const lockstepNote =
  "; simulated in lockstep: each op is one task on its cores' last core, the busiest share, standing for all of them (--lockstep off: a task per core)";

/** Pipelined schedules: stages on runs of cores, transfers between stages, all-reduces within them. */
function mapPipelined(
  network: Network,
  hw: HwModel,
  options: CompileOptions,
  graph: Graph,
  trace?: PassTrace[],
): Mapped {
  const partition = partitionStages(graph, network, hw, hw.cores.count, options.microBatches, options);
  const moved = insertTransfers(graph, partition.stageOfNode, partition.stages);
  trace?.push({ pass: 'insert-transfers', graph: moved.graph });
  const coresOfStage = (node: IrNode): number =>
    partition.stages[moved.stageOfNode.get(node.id) ?? 0]?.cores.length ?? 1;
  // A gradient product split over its output columns leaves no partials to sum.
  const bytes = graph.meta.floatBytes;
  const reduced = insertAllReduce(moved.graph, (node) =>
    pipelineGradOutputSplit(hw, node, workOf(node, bytes), coresOfStage(node), options.microBatches)
      ? 1
      : coresOfStage(node),
  );
  trace?.push({ pass: 'insert-all-reduce', graph: reduced });
  // An all-reduce runs on the stage of the gradient product it sums.
  const producer = new Map(reduced.nodes.flatMap((n) => n.outputs.map((t) => [t, n.id] as const)));
  const stageOfNode = new Map(moved.stageOfNode);
  for (const node of reduced.nodes)
    if (!stageOfNode.has(node.id)) stageOfNode.set(node.id, stageOfNode.get(producer.get(node.inputs[0]!) ?? '') ?? 0);
  const coresOfNode = new Map(reduced.nodes.map((n) => [n.id, partition.stages[stageOfNode.get(n.id)!]!.cores]));
  return {
    graph: reduced,
    stages: partition.stages,
    stageChoice: partition.choice,
    parts: options.microBatches,
    coresOfNode,
    stageOfNode,
    stageCount: partition.stages.length,
    barrier: false,
  };
}

/**
 * sequential / bp-sequential: ops in graph order, each split into row shards over the whole machine
 * and finished by all its shards before the next op starts (a barrier per op). data-parallel: each
 * core runs the whole step on its row shard; only the gradient all-reduce synchronises the cores.
 */
function mapFlat(network: Network, hw: HwModel, options: CompileOptions, graph: Graph, trace?: PassTrace[]): Mapped {
  const shards = Math.max(1, Math.min(hw.cores.count, options.batch));
  // sequential splits gradient products over their outputs (no partial gradients to sum).
  const barrier = scheduleOf(options.schedule).barrier;
  const reduced = shards > 1 && !barrier ? insertAllReduce(graph, () => shards) : graph;
  if (reduced !== graph) trace?.push({ pass: 'insert-all-reduce', graph: reduced });
  const cores = Array.from({ length: shards }, (_, c) => c);
  const totalCycles = graph.nodes.reduce((s, n) => s + estimateCycles(workOf(n, graph.meta.floatBytes), hw), 0);
  const stages: Stage[] = [
    { index: 0, layers: network.layers.map((l) => l.name), cores, estimatedCycles: Math.ceil(totalCycles / shards) },
  ];
  return {
    graph: reduced,
    stages,
    stageChoice: `${options.schedule} is not pipelined: one stage on ${shards} core(s)`,
    parts: 1,
    coresOfNode: new Map(reduced.nodes.map((n) => [n.id, cores])),
    stageOfNode: new Map(reduced.nodes.map((n) => [n.id, 0])),
    stageCount: 1,
    barrier,
  };
}

export function compile(network: Network, hw: HwModel, input: CompileOptionsInput, trace?: PassTrace[]): CompiledStep {
  const options = resolveCompileOptions(input);
  // Tensors are stored at the hardware's word width (fp16 on multicore-16, int8 on tpu-v1-like).
  const graph = stepGraph(network, { ...options, floatBytes: hw.wordBytes }, trace);
  const { stages, stageChoice, ...mapped } = (isPipelined(options.schedule) ? mapPipelined : mapFlat)(
    network,
    hw,
    options,
    graph,
    trace,
  );
  // The mapped graph says how its step is laid out: the runtime reads micro-batches and staleness there.
  const layout = { microBatches: options.microBatches, staleness: options.staleness };
  const laidOut = markAccumulation(insertStaleGradients(mapped.graph, options.staleness), options.microBatches);
  trace?.push({ pass: 'lay-out-step', graph: laidOut });
  const lockstep = lockstepOf(hw, options);
  const plan: TaskPlan = {
    ...mapped,
    graph: { ...laidOut, meta: { ...laidOut.meta, ...layout } },
    hw,
    options,
    lockstep,
  };
  const { tasks, placements } = mapMemory(plan, buildTasks(plan));
  const feasibility = checkFeasibility(plan.graph, hw, options.schedule, tasks, placements);
  const { forwardMacsPerSample } = workloadOf(network);
  const choice = lockstep ? stageChoice + lockstepNote : stageChoice;
  return {
    graph: plan.graph,
    hw,
    options,
    stages,
    stageChoice: choice,
    tasks,
    placements,
    feasibility,
    forwardMacsPerSample,
  };
}
