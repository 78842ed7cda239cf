// Schedules: turns a mapped step graph into the ordered task list the simulator runs. Each node
// becomes one task per part (micro-batch under pipelined schedules, row shard under
// data-parallel) or one task per step (perStep nodes). The list order is each unit's issue order
// (the simulator runs every unit's tasks in list order), so it encodes the schedule:
// sequential and data-parallel follow graph order; layer-pipelined and 1f1b run, per stage,
// min(M, S - s) forward micro-batches ahead and then alternate one backward (gradient) block with
// one forward block; gpipe runs all forwards, then all backwards. The list is a topological order,
// so no unit ever waits for a task queued behind it.
// layer-pipelined with staleness 1 is software-pipelined across iterations: the body of iteration i
// runs the forward of step i and the gradient products and updates of step i - 1, so a stage's
// forward of the next step overlaps its gradient work of the previous one (METHOD.md 5.2). In the
// body, gradient/update tasks reach the forward tasks they read through prevIterationDeps, and a
// forward waits for the update issued one body earlier, i.e. weights exactly one update old.
import type { HwModel } from '../hw/types.js';
import { workOf } from '../ir/work-of.js';
import type { Graph, IrNode, Work } from '../ir/types.js';
import { tileCount } from './tile.js';
import type { CompileOptions, Task, UnitRef } from './types.js';

export interface TaskPlan {
  graph: Graph;
  hw: HwModel;
  options: CompileOptions;
  /** Micro-batches (pipelined) or row shards (data-parallel); 1 otherwise. */
  parts: number;
  partKind: 'micro-batch' | 'shard';
  /** Core of each node (shards override it with their own core). */
  coreOfNode: Map<string, number>;
}

export function taskId(nodeId: string, part: number | undefined): string {
  return part === undefined ? nodeId : `${nodeId}#${part}`;
}

function splitWork(node: IrNode, work: Work, parts: number): Work {
  if (parts === 1 || node.perStep) return work;
  const share = (n: number): number => Math.ceil(n / parts);
  switch (work.kind) {
    case 'gemm':
      return node.kind === 'GradProduct' ? { ...work, k: share(work.k) } : { ...work, m: share(work.m) };
    case 'vector':
      return { ...work, elements: share(work.elements) };
    case 'transfer':
      return { ...work, bytes: share(work.bytes) };
    case 'none':
      return work;
    default:
      return work satisfies never;
  }
}

function unitFor(hw: HwModel, work: Work, core: number): UnitRef {
  const systolic = hw.cores.systolic[0]?.name;
  const vector = hw.cores.vector[0]?.name;
  const unit = work.kind === 'gemm' ? (systolic ?? vector) : work.kind === 'transfer' ? 'link' : (vector ?? systolic);
  return { core, unit: unit ?? 'link' };
}

/** Parts a node runs as: undefined for one per-step task. */
function partsOf(node: IrNode, parts: number): (number | undefined)[] {
  return node.perStep || parts === 1 ? [undefined] : Array.from({ length: parts }, (_, p) => p);
}

function makeTasks(plan: TaskPlan): { tasks: Task[]; nodeIndex: Map<string, number> } {
  const { graph, hw, parts } = plan;
  const producer = new Map<string, IrNode>();
  for (const node of graph.nodes) for (const t of node.outputs) producer.set(t, node);
  const updateOf = new Map(graph.nodes.filter((n) => n.kind === 'OptimizerUpdate').map((n) => [n.inputs[0]!, n]));
  const stale = plan.options.staleness === 1 && plan.options.schedule === 'layer-pipelined';
  const lagged = (n: IrNode): boolean => stale && (n.phase === 'gradient' || n.phase === 'update');
  const tasks: Task[] = [];
  for (const node of graph.nodes) {
    const work = workOf(node, graph.meta.floatBytes);
    for (const part of partsOf(node, parts)) {
      const core = plan.partKind === 'shard' && part !== undefined ? part : (plan.coreOfNode.get(node.id) ?? 0);
      const deps: string[] = [];
      const prevIterationDeps: string[] = [];
      for (const t of node.inputs) {
        const p = producer.get(t);
        if (!p) continue;
        const producerParts = partsOf(p, parts);
        const ids = producerParts.length === 1 ? [taskId(p.id, undefined)] : part === undefined ? producerParts.map((q) => taskId(p.id, q)) : [taskId(p.id, part)];
        (lagged(node) && !lagged(p) ? prevIterationDeps : deps).push(...ids);
      }
      const update = node.kind === 'OptimizerUpdate' ? undefined : node.inputs.map((t) => updateOf.get(t)).find((u) => u);
      if (update) prevIterationDeps.push(taskId(update.id, undefined));
      const split = splitWork(node, work, parts);
      const tiles = tileCount(split, hw, graph.meta.floatBytes);
      const microBatch = plan.partKind === 'micro-batch' ? (part ?? (node.phase === 'forward' ? 0 : parts - 1)) : 0;
      tasks.push({
        id: taskId(node.id, part), node: node.id, microBatch, unit: unitFor(hw, split, core), work: split,
        reads: [], writes: [], deps: [...new Set(deps)], prevIterationDeps: [...new Set(prevIterationDeps)],
        ...(tiles > 1 ? { tile: { index: 0, count: tiles } } : {}),
      });
    }
  }
  return { tasks, nodeIndex: new Map(graph.nodes.map((n, i) => [n.id, i])) };
}

/** Issue rank of (forward?, micro-batch) blocks on stage s of S under a pipelined schedule. */
function blockRanks(schedule: CompileOptions['schedule'], s: number, S: number, M: number): { forward: number[]; backward: number[] } {
  const forward = new Array<number>(M).fill(0);
  const backward = new Array<number>(M).fill(0);
  let rank = 0;
  if (schedule === 'gpipe') {
    for (let t = 0; t < M; t++) forward[t] = rank++;
    for (let t = 0; t < M; t++) backward[t] = rank++;
    return { forward, backward };
  }
  const ahead = Math.min(M, S - s);
  for (let t = 0; t < ahead; t++) forward[t] = rank++;
  for (let t = 0; t < M; t++) {
    backward[t] = rank++;
    if (t + ahead < M) forward[t + ahead] = rank++;
  }
  return { forward, backward };
}

function sortKey(plan: TaskPlan, node: IrNode, task: Task, stages: number): number {
  const pipelined = plan.partKind === 'micro-batch' && plan.parts > 1;
  if (!pipelined) return 0;
  const M = plan.parts;
  if (node.perStep) return node.phase === 'forward' ? -1 : 2 * M + 1;
  const s = plan.coreOfNode.get(node.id) ?? 0;
  const ranks = blockRanks(plan.options.schedule, s, stages, M);
  const isForward = node.phase === 'forward' || node.phase === 'loss';
  return (isForward ? ranks.forward : ranks.backward)[task.microBatch]!;
}

/** Per-unit streams in schedule order, merged into one topological list. */
function order(plan: TaskPlan, tasks: Task[], nodeIndex: Map<string, number>): Task[] {
  const nodes = plan.graph.nodes;
  const stages = Math.max(1, ...plan.coreOfNode.values()) + 1;
  const keyed = tasks.map((task, i) => ({ task, i, key: sortKey(plan, nodes[nodeIndex.get(task.node)!]!, task, stages) }));
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
      throw new Error(`schedule ${plan.options.schedule}: no unit can issue its next task (${stuck.slice(0, 4).join(', ')}); the issue order is inconsistent`);
    }
  }
  return out;
}

export function buildTasks(plan: TaskPlan): Task[] {
  const { tasks, nodeIndex } = makeTasks(plan);
  return order(plan, tasks, nodeIndex);
}
