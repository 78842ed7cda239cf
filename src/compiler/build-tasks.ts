// Schedules: turns a mapped step graph into the ordered task list the simulator runs. Each node
// becomes one task per micro-batch (pipelined schedules) or one per step (perStep nodes), and each
// of those is split into row shards over the node's cores (a stage's cores, or the whole machine
// under sequential and data-parallel), or a GEMM into the blocks of a grid of its output (gridFor;
// the shares are src/compiler/shard-split.ts's). A shard waits for the producer shards whose rows it
// reads (on a grid: every column block of those rows);
// under `sequential` it waits for every shard of its producers (one op after another, each spread
// over the machine); an AllReduce always waits for every partial it sums. The list order is each
// unit's issue order (the simulator runs every unit's tasks in list order), so it encodes the
// schedule: sequential and data-parallel follow graph order; layer-pipelined and 1f1b run, per
// stage, min(M, S - s) forward micro-batches ahead and then alternate one backward (gradient) block
// with one forward block; gpipe runs all forwards, then all backwards. The list is a topological
// order, so no unit ever waits for a task queued behind it.
// layer-pipelined with staleness 1 is software-pipelined across iterations: the body of iteration i
// runs the forward of step i and the gradient products, reductions and updates of step i - 1, so a
// stage's forward of the next step overlaps its gradient work of the previous one (METHOD.md 5.2).
// In the body, gradient/update tasks reach the forward tasks they read through prevIterationDeps,
// and a forward waits for the update issued one body earlier, i.e. weights exactly one update old.
// Which instances (node, micro-batch) a step runs, what each waits for and which lag a step are the
// graph's (src/ir/step-instances.ts, which the runtime reads too); this file adds cores and order.
import type { HwModel } from '../hw/types.js';
import { workOf } from '../ir/work-of.js';
import type { Graph, IrNode, Work } from '../ir/types.js';
import { computeCycles, unitFor } from '../hw/timing/unit-timing.js';
import { instanceMicros, nodeInstances, type NodeInstance } from '../ir/step-instances.js';
import { isPipelined, scheduleOf } from './schedules/registry.js';
import { gridWork, pipelineGradOutputSplit, pipelineGridOf, splitWork, type Grid } from './shard-split.js';
import { tileCount } from './tile.js';
import { planAllReduce } from './collective.js';
import type { CompileOptions, Task } from './types.js';

export interface TaskPlan {
  graph: Graph;
  hw: HwModel;
  options: CompileOptions;
  /** Micro-batches under pipelined schedules; 1 otherwise. */
  parts: number;
  /** Cores each node's work is split over as row (or element) shards, in shard order; one core: unsplit. */
  coresOfNode: Map<string, number[]>;
  /** Pipeline stage of each node (0 when not pipelined) and the number of stages. */
  stageOfNode: Map<string, number>;
  stageCount: number;
  /** Each op waits for every shard of its producers (the `sequential` schedules). */
  barrier: boolean;
  /** One task per node instance, the busiest shard on its cores' last core, standing for all of them (Task.lockstep). */
  lockstep: boolean;
}

/** One task's place in its node: micro-batch (undefined: the whole step) and shard j of count. */
export interface TaskSlot {
  micro: number | undefined;
  shard: number;
  count: number;
  core: number;
}

export function taskId(nodeId: string, micro: number | undefined, shard = 0, count = 1): string {
  const base = micro === undefined ? nodeId : `${nodeId}#${micro}`;
  return count > 1 ? `${base}/${shard}` : base;
}

export function coresOf(plan: TaskPlan, node: IrNode): number[] {
  return plan.coresOfNode.get(node.id) ?? [0];
}

/** Every task slot of a node, micro-batch major. */
export function slotsOf(plan: TaskPlan, node: IrNode): TaskSlot[] {
  return instanceMicros(node, plan.parts).flatMap((micro) => slotsOfInstance(plan, node, micro));
}

/** The task slots of one node instance: a shard per core, or in lockstep the last (busiest) shard alone. */
function slotsOfInstance(plan: TaskPlan, node: IrNode, micro: number | undefined): TaskSlot[] {
  const cores = coresOf(plan, node);
  const count = cores.length;
  if (plan.lockstep && count > 1) return [{ micro, shard: count - 1, count, core: cores[count - 1]! }];
  return cores.map((core, shard) => ({ micro, shard, count, core }));
}

/**
 * Under the `sequential` schedules (a barrier per op) a per-row gradient product is split over its
 * output rows, like a per-step one: each core computes its slice of the whole gradient, so no
 * all-reduce follows. Under pipelined schedules so is one whose row shards are short
 * (pipelineGradOutputSplit). Elsewhere it is split over its rows (partial gradients, then an all-reduce).
 */
export function outputSplit(plan: TaskPlan, node: IrNode): boolean {
  let cache = outputSplitCache.get(plan);
  if (!cache) outputSplitCache.set(plan, (cache = new Map()));
  let split = cache.get(node);
  if (split === undefined) cache.set(node, (split = outputSplitOf(plan, node)));
  return split;
}

const outputSplitCache = new WeakMap<TaskPlan, Map<IrNode, boolean>>();

function outputSplitOf(plan: TaskPlan, node: IrNode): boolean {
  if (plan.barrier) return (node.kind === 'GradProduct' || node.kind === 'SigmaGrad') && !node.perStep;
  if (node.kind !== 'GradProduct' || !isPipelined(plan.options.schedule)) return false;
  const work = workOf(node, plan.graph.meta.floatBytes);
  return pipelineGradOutputSplit(plan.hw, node, work, coresOf(plan, node).length, plan.parts);
}

/**
 * Under the `sequential` schedules a GEMM (one group) over c > 1 cores is split on the gm x gn grid
 * of its output (gm x gn = c), as GPU kernels tile a big matrix product, that minimises a roofline
 * sum: a core's array cycles on its block plus all cores' operand reads (c (m k / gm + k n / gn)
 * words) at the off-chip bandwidth. gn = 1 is the plain row split; a big weight gets gn > 1, so no
 * core reads it whole. Undefined: no such grid (the row split applies).
 */
export function gridOf(
  plan: Pick<TaskPlan, 'barrier' | 'graph' | 'hw'>,
  node: IrNode,
  count: number,
): Grid | undefined {
  if (!plan.barrier || count <= 1 || node.perStep) return undefined;
  // A gradient product on a ws/is array streams an output dimension: splitting it shortens every fold's stream (the 1-D split over n stays).
  if (node.kind === 'GradProduct' && plan.hw.cores.systolic[0]?.dataflow !== 'os') return undefined;
  const work = workOf(node, plan.graph.meta.floatBytes);
  if (work.kind !== 'gemm' || work.groups !== 1) return undefined;
  let best: (Grid & { cost: number }) | undefined;
  const array = plan.hw.cores.systolic[0];
  const farBytesPerCycle = plan.hw.memory.at(-1)?.bandwidthBytesPerCycle ?? 1;
  for (let gm = 1; gm <= count; gm++) {
    const gn = count / gm;
    if (!Number.isInteger(gn) || gm > work.m || gn > work.n) continue;
    // Roofline sum: a core's compute on its block (the array's fold overheads included) plus every core's operand reads at the off-chip bandwidth.
    const block = { ...work, m: Math.ceil(work.m / gm), n: Math.ceil(work.n / gn) };
    const compute = array ? computeCycles(plan.hw, { core: 0, unit: array.name }, block) : 0;
    const reads =
      (count * ((work.m * work.k) / gm + (work.k * work.n) / gn) * plan.graph.meta.floatBytes) / farBytesPerCycle;
    const cost = compute + reads;
    if (!best || cost < best.cost) best = { gm, gn, cost };
  }
  return best ? { gm: best.gm, gn: best.gn } : undefined;
}

/** Shards of `cb` whose rows overlap shard a of ca. */
export function overlapping(a: number, ca: number, cb: number): number[] {
  const from = Math.floor((a * cb) / ca);
  const to = Math.ceil(((a + 1) * cb) / ca);
  const out = new Array<number>(to - from);
  for (let i = from; i < to; i++) out[i - from] = i;
  return out;
}

const gridCache = new WeakMap<TaskPlan, Map<IrNode, Grid | undefined>>();

/**
 * The grid of its output a node's GEMM is split on over its cores: gridOf under the `sequential`
 * schedules (one micro-batch), pipelineGridOf under pipelined ones; undefined: the row split.
 */
export function gridFor(plan: TaskPlan, node: IrNode): Grid | undefined {
  let cache = gridCache.get(plan);
  if (!cache) gridCache.set(plan, (cache = new Map()));
  if (cache.has(node)) return cache.get(node);
  const count = coresOf(plan, node).length;
  const grid = plan.barrier
    ? plan.parts === 1
      ? gridOf(plan, node, count)
      : undefined
    : isPipelined(plan.options.schedule)
      ? pipelineGridOf(plan.hw, node, workOf(node, plan.graph.meta.floatBytes), count, plan.parts)
      : undefined;
  cache.set(node, grid);
  return grid;
}

/** Shards of `producer` (over `cores`) whose rows a slot's rows (its row block on a grid) overlap: every column block of those rows. */
function overlappingShards(plan: TaskPlan, node: IrNode, slot: TaskSlot, producer: IrNode, cores: number): number[] {
  // A gradient split over its output reads every row; its slices cross the update's element shards.
  if (!plan.barrier && (outputSplit(plan, node) || outputSplit(plan, producer)))
    return Array.from({ length: cores }, (_, q) => q);
  const mine = gridFor(plan, node) ?? { gm: slot.count, gn: 1 };
  const theirs = gridFor(plan, producer) ?? { gm: cores, gn: 1 };
  return overlapping(Math.floor(slot.shard / mine.gn), mine.gm, theirs.gm).flatMap((block) =>
    Array.from({ length: theirs.gn }, (_, q) => block * theirs.gn + q),
  );
}

/** A task waits for every shard of its producers (not only those its rows overlap): the same for each of its node's shards. */
const waitsForEveryShard = (plan: TaskPlan, node: IrNode): boolean => plan.barrier || node.kind === 'AllReduce';

/** Per plan: a node's task ids by micro-batch, in shard order (built once, not per waiting task). */
const taskIdCache = new WeakMap<TaskPlan, Map<IrNode, Map<number | undefined, string[]>>>();

function taskIdsOf(plan: TaskPlan, node: IrNode, micro: number | undefined): string[] {
  let byNode = taskIdCache.get(plan);
  if (!byNode) taskIdCache.set(plan, (byNode = new Map()));
  let byMicro = byNode.get(node);
  if (!byMicro) byNode.set(node, (byMicro = new Map()));
  let ids = byMicro.get(micro);
  if (!ids) {
    const cores = coresOf(plan, node).length;
    ids = Array.from({ length: cores }, (_, q) => taskId(node.id, micro, q, cores));
    byMicro.set(micro, ids);
  }
  return ids;
}

/** Per plan: overlappingShards of (node, producer) by the slot's shard. */
const overlapCache = new WeakMap<TaskPlan, Map<IrNode, Map<IrNode, Map<number, number[]>>>>();

function overlapOf(plan: TaskPlan, node: IrNode, slot: TaskSlot, producer: IrNode, cores: number): number[] {
  let byNode = overlapCache.get(plan);
  if (!byNode) overlapCache.set(plan, (byNode = new Map()));
  let byProducer = byNode.get(node);
  if (!byProducer) byNode.set(node, (byProducer = new Map()));
  let byShard = byProducer.get(producer);
  if (!byShard) byProducer.set(producer, (byShard = new Map()));
  let shards = byShard.get(slot.shard);
  if (!shards) byShard.set(slot.shard, (shards = overlappingShards(plan, node, slot, producer, cores)));
  return shards;
}

/** The task ids of the producer instances `dep` that a task slot waits for: every shard, or those its rows overlap. */
function producerTasks(plan: TaskPlan, node: IrNode, slot: TaskSlot, dep: NodeInstance['deps'][number]): string[] {
  const out: string[] = [];
  // In lockstep a producer instance is one task, its last shard.
  if (plan.lockstep) {
    for (const micro of dep.micros) out.push(taskIdsOf(plan, dep.node, micro).at(-1)!);
    return out;
  }
  if (waitsForEveryShard(plan, node)) {
    for (const micro of dep.micros) out.push(...taskIdsOf(plan, dep.node, micro));
    return out;
  }
  const shards = overlapOf(plan, node, slot, dep.node, coresOf(plan, dep.node).length);
  for (const micro of dep.micros) {
    const ids = taskIdsOf(plan, dep.node, micro);
    for (const q of shards) out.push(ids[q]!);
  }
  return out;
}

/** What one task slot of a node instance waits for in its own step and in the previous one (each id once). */
function slotDeps(
  plan: TaskPlan,
  node: IrNode,
  slot: TaskSlot,
  instance: NodeInstance,
  updateTasks: readonly string[],
): { deps: string[]; prevIterationDeps: string[] } {
  const deps: string[] = [];
  const prevIterationDeps: string[] = [...updateTasks];
  for (const dep of instance.deps)
    (dep.previousStep ? prevIterationDeps : deps).push(...producerTasks(plan, node, slot, dep));
  return { deps: [...new Set(deps)], prevIterationDeps: [...new Set(prevIterationDeps)] };
}

/** A slot's share of a node's work: its block on a grid of the output (gridFor), else its rows of its micro-batch. */
function shareOfSlot(plan: TaskPlan, node: IrNode, work: Work, slot: TaskSlot): Work {
  const micro = slot.micro === undefined ? undefined : { index: slot.micro, count: plan.parts };
  const grid = work.kind === 'gemm' ? gridFor(plan, node) : undefined;
  if (grid && work.kind === 'gemm') return gridWork(work, grid, slot.shard, micro);
  return splitWork(node, work, micro, { index: slot.shard, count: slot.count }, outputSplit(plan, node));
}

/** A measure of a share of work that the shares of a node sum (MACs, elements, bytes). */
function workSize(work: Work): number {
  switch (work.kind) {
    case 'gemm':
      return work.m * work.n * work.k * work.groups;
    case 'vector':
      return work.elements;
    case 'transfer':
      return work.bytes;
    case 'none':
      return 0;
    default:
      return work satisfies never;
  }
}

/**
 * Lockstep: the node instance's work on all its shards over the representative's (the busiest, so at
 * least 1). The shards' pieces sum to the instance's work exactly (shard-split.ts), so that is the total.
 */
function shardsWeight(plan: TaskPlan, node: IrNode, work: Work, slot: TaskSlot, share: Work): number {
  if (node.kind === 'AllReduce' || work.kind === 'none') return slot.count;
  const size = workSize(share);
  if (size === 0) return 1;
  const micro = slot.micro === undefined ? undefined : { index: slot.micro, count: plan.parts };
  return workSize(micro ? splitWork(node, work, micro, { index: 0, count: 1 }) : work) / size;
}

/** An all-reduce's work on each participant: the faster of ring and tree on the NoC (collective.ts). */
function allReduceWork(plan: TaskPlan, node: Extract<IrNode, { kind: 'AllReduce' }>): Work {
  const c = planAllReduce(plan.hw, coresOf(plan, node), node.elements * plan.graph.meta.floatBytes);
  return { kind: 'transfer', bytes: c.bytesPerParticipant, hops: c.hops };
}

function makeTasks(plan: TaskPlan): Task[] {
  const { graph } = plan;
  const producer = new Map<string, IrNode>();
  for (const node of graph.nodes) for (const t of node.outputs) producer.set(t, node);
  const updateOf = new Map(graph.nodes.filter((n) => n.kind === 'OptimizerUpdate').map((n) => [n.inputs[0]!, n]));
  const tasks: Task[] = [];
  graph.nodes.forEach((node, index) => {
    const work = workOf(node, graph.meta.floatBytes);
    const update = node.kind === 'OptimizerUpdate' ? undefined : node.inputs.map((t) => updateOf.get(t)).find((u) => u);
    // Weights are whole again only when every shard of the update has run.
    const updateTasks = update ? slotsOf(plan, update).map((q) => taskId(update.id, q.micro, q.shard, q.count)) : [];
    for (const instance of nodeInstances(graph, node, producer, plan.parts)) {
      const slots = slotsOfInstance(plan, node, instance.micro);
      // Shards that wait for every producer shard share one list (tasks never change their lists).
      const shared =
        slots.length > 0 && waitsForEveryShard(plan, node)
          ? slotDeps(plan, node, slots[0]!, instance, updateTasks)
          : undefined;
      for (const slot of slots) {
        const { deps, prevIterationDeps } = shared ?? slotDeps(plan, node, slot, instance, updateTasks);
        tasks.push(slotTask(plan, { node, work, index }, slot, deps, prevIterationDeps));
      }
    }
  });
  return tasks;
}

/** One task slot's task: its share of the node's work on its unit, and the tasks it waits for. */
function slotTask(
  plan: TaskPlan,
  { node, work, index }: { node: IrNode; work: Work; index: number },
  slot: TaskSlot,
  deps: string[],
  prevIterationDeps: string[],
): Task {
  const { graph, hw } = plan;
  // A micro-batch's task does its piece of the node's rows; each shard its piece of those.
  const split = node.kind === 'AllReduce' ? allReduceWork(plan, node) : shareOfSlot(plan, node, work, slot);
  const tiles = tileCount(split, hw, graph.meta.floatBytes);
  const microBatch = slot.micro ?? (node.phase === 'forward' ? 0 : plan.parts - 1);
  return {
    id: taskId(node.id, slot.micro, slot.shard, slot.count),
    node: node.id,
    microBatch,
    unit: unitFor(hw, split, slot.core, index + (slot.micro ?? 0)),
    work: split,
    reads: [],
    writes: [],
    deps,
    prevIterationDeps,
    ...(tiles > 1 ? { tile: { index: 0, count: tiles } } : {}),
    ...(slot.count > 1 ? { shard: { index: slot.shard, count: slot.count } } : {}),
    ...(plan.lockstep && slot.count > 1
      ? { lockstep: { cores: slot.count, weight: shardsWeight(plan, node, work, slot, split) } }
      : {}),
  };
}

function sortKey(plan: TaskPlan, node: IrNode, task: Task): number {
  if (plan.parts <= 1) return 0;
  const M = plan.parts;
  if (node.perStep) return node.phase === 'forward' ? -1 : 2 * M + 1;
  const order = scheduleOf(plan.options.schedule).blockOrder;
  if (!order) return 0;
  const ranks = order(plan.stageOfNode.get(node.id) ?? 0, plan.stageCount, M);
  const isForward = node.phase === 'forward' || node.phase === 'loss';
  return (isForward ? ranks.forward : ranks.backward)[task.microBatch]!;
}

/** Per-unit streams in schedule order, merged into one topological list. */
function order(plan: TaskPlan, tasks: Task[]): Task[] {
  const nodeById = new Map(plan.graph.nodes.map((n) => [n.id, n]));
  const keyed = tasks.map((task, i) => ({ task, i, key: sortKey(plan, nodeById.get(task.node)!, task) }));
  const streams = new Map<string, typeof keyed>();
  for (const k of keyed) {
    const unit = `${k.task.unit.core}/${k.task.unit.unit}`;
    const list = streams.get(unit);
    if (list) list.push(k);
    else streams.set(unit, [k]);
  }
  const lists = [...streams.values()].map((s) => s.sort((a, b) => a.key - b.key || a.i - b.i).map((k) => k.task));
  const heads = lists.map(() => 0);
  const emitted = new Set<string>();
  const out: Task[] = [];
  while (out.length < tasks.length) {
    let progress = false;
    lists.forEach((list, l) => {
      while (heads[l]! < list.length && list[heads[l]!]!.deps.every((d) => emitted.has(d))) {
        const task = list[heads[l]!++]!;
        emitted.add(task.id);
        out.push(task);
        progress = true;
      }
    });
    if (!progress) {
      const stuck = lists.map((list, l) => list[heads[l]!]?.id).filter((id) => id);
      throw new Error(
        `schedule ${plan.options.schedule}: no unit can issue its next task (${stuck.slice(0, 4).join(', ')}); the issue order is inconsistent`,
      );
    }
  }
  return out;
}

export function buildTasks(plan: TaskPlan): Task[] {
  return order(plan, makeTasks(plan));
}
