// Memory mapping: places every tensor on a memory level (and core, for per-core levels) with the
// tasks that bound its lifetime, and fills each task's reads and writes. Policy: greedy first fit
// onto the on-chip level by lifetime, in priority order — under pipelined schedules a stage's
// weights first (weight-stationary stages), then its short-lived activations, then what it keeps
// for the gradient (stored inputs, noise, sign bits); otherwise short-lived activations first.
// What does not fit spills to the off-chip level; the step's input and labels stay off-chip.
// Row-carrying tensors get one placement per micro-batch or shard. Optimizer updates are in place.
import { producerIndex } from '../ir/graph.js';
import { tensorBytes } from '../ir/tensor-bytes.js';
import type { Graph, IrNode, TensorInfo } from '../ir/types.js';
import { keptTensors } from './kept-bytes.js';
import type { TaskPlan } from './build-tasks.js';
import { taskId } from './build-tasks.js';
import { offChipLevel, onChipLevel } from './tile.js';
import type { Access, Task, TensorPlacement } from './types.js';

const rowClasses: ReadonlySet<TensorInfo['cls']> = new Set(['input', 'activation', 'noise', 'sign-bits', 'loss']);

export function isPipelined(schedule: TaskPlan['options']['schedule']): boolean {
  return schedule === 'layer-pipelined' || schedule === 'gpipe' || schedule === '1f1b';
}

interface Ctx {
  plan: TaskPlan;
  producer: Map<string, IrNode>;
  consumers: Map<string, IrNode[]>;
  position: Map<string, number>;
  prevDeps: Map<string, ReadonlySet<string>>;
  kept: Set<string>;
}

/** The task ids that read a tensor (or one part of it). */
function readerTasks(node: IrNode, part: number | undefined, parts: number): string[] {
  if (node.perStep || parts === 1) return [taskId(node.id, undefined)];
  if (part !== undefined) return [taskId(node.id, part)];
  return Array.from({ length: parts }, (_, q) => taskId(node.id, q));
}

/** The last task reading a tensor; a reader in the next iteration's body outlives every same-body one. */
function lastReader(ctx: Ctx, tensor: string, part: number | undefined, producerTask: string | undefined): { id: string; next: boolean } | undefined {
  let best: { id: string; next: boolean } | undefined;
  let bestKey = -1;
  for (const node of ctx.consumers.get(tensor) ?? []) {
    for (const id of readerTasks(node, part, ctx.plan.parts)) {
      const next = producerTask !== undefined && (ctx.prevDeps.get(id)?.has(producerTask) ?? false);
      const key = (ctx.position.get(id) ?? -1) + (next ? ctx.position.size : 0);
      if (key > bestKey) [best, bestKey] = [{ id, next }, key];
    }
  }
  return best;
}

/** Placements with lifetimes, all off-chip; assignLevels moves what fits on-chip. */
function placementsOf(ctx: Ctx, t: TensorInfo): TensorPlacement[] {
  const { graph, parts, partKind, coreOfNode, hw } = ctx.plan;
  const p = ctx.producer.get(t.id);
  if (p?.kind === 'OptimizerUpdate') return [];
  const persistent = p === undefined && (t.cls === 'weight' || t.cls === 'optimizer-state');
  const bytes = tensorBytes(t, graph.meta.floatBytes);
  const split = parts > 1 && rowClasses.has(t.cls) && !p?.perStep;
  const partList: (number | undefined)[] = split ? Array.from({ length: parts }, (_, i) => i) : [undefined];
  const owner = p ?? ctx.consumers.get(t.id)?.[0];
  return partList.map((part) => {
    const core = partKind === 'shard' && part !== undefined ? part : (coreOfNode.get(owner?.id ?? '') ?? 0);
    const firstTask = p ? taskId(p.id, p.perStep || parts === 1 ? undefined : part) : undefined;
    const reader = persistent ? undefined : lastReader(ctx, t.id, part, firstTask);
    const partBytes = split ? Math.ceil(bytes / parts) : bytes;
    return {
      tensor: t.id, cls: t.cls, level: offChipLevel(hw).name, core, bytes: partBytes, persistent,
      ...(firstTask ? { firstTask } : {}), ...(reader ? { lastTask: reader.id } : {}), ...(reader?.next ? { readNextIteration: true } : {}),
    };
  });
}

/** Lower is placed on-chip first: a pipeline stage keeps its weights; otherwise short-lived tensors go first. */
function priority(ctx: Ctx, pl: TensorPlacement, graph: Graph): number {
  const info = graph.tensors[pl.tensor]!;
  if (info.cls === 'input' && !ctx.producer.has(pl.tensor)) return Infinity;
  const longLived = pl.persistent || info.cls === 'gradient' || ctx.kept.has(pl.tensor);
  if (isPipelined(ctx.plan.options.schedule)) return pl.persistent ? 0 : longLived ? 2 : 1;
  return longLived ? (pl.persistent ? 2 : 3) : 1;
}

/**
 * Greedy first fit over lifetimes: each candidate goes on-chip when the level instance's
 * occupancy over the candidate's lifetime leaves room for it, so the on-chip level never
 * overflows and feasibility is decided by what spills off-chip.
 */
function assignLevels(ctx: Ctx, placements: TensorPlacement[], taskCount: number): TensorPlacement[] {
  const near = onChipLevel(ctx.plan.hw);
  if (!near) return placements;
  const occupancy = new Map<number, Float64Array>();
  // Task-list positions a placement is live at; one read in the next body wraps around the list.
  const span = (pl: TensorPlacement): [number, number][] => {
    const from = pl.persistent || !pl.firstTask ? 0 : (ctx.position.get(pl.firstTask) ?? 0);
    const to = pl.persistent || !pl.lastTask ? taskCount : (ctx.position.get(pl.lastTask) ?? taskCount);
    return pl.readNextIteration ? [[0, to], [from, taskCount]] : [[from, to]];
  };
  const ranked = placements
    .map((pl, i) => ({ pl, i, rank: priority(ctx, pl, ctx.plan.graph), from: span(pl).at(-1)![0] }))
    .filter((c) => Number.isFinite(c.rank))
    .sort((a, b) => a.rank - b.rank || a.from - b.from || a.i - b.i);
  const out = [...placements];
  for (const { pl, i } of ranked) {
    const core = near.scope === 'chip' ? -1 : pl.core;
    let occ = occupancy.get(core);
    if (!occ) occupancy.set(core, (occ = new Float64Array(taskCount + 1)));
    const ranges = span(pl);
    let peak = 0;
    for (const [from, to] of ranges) for (let t = from; t <= to; t++) peak = Math.max(peak, occ[t]!);
    if (peak + pl.bytes > near.capacityBytes) continue;
    for (const [from, to] of ranges) for (let t = from; t <= to; t++) occ[t]! += pl.bytes;
    out[i] = { ...pl, level: near.name, core };
  }
  const far = offChipLevel(ctx.plan.hw);
  return out.map((pl) => (pl.level === far.name && far.scope === 'chip' ? { ...pl, core: -1 } : pl));
}

/** A per-part task touches its own part's placement; a per-step task touches every part. */
function accessesOf(part: number, tensors: string[], byTensor: Map<string, TensorPlacement[]>, perStep: boolean): Access[] {
  return tensors.flatMap((tensor) => {
    const list = byTensor.get(tensor) ?? [];
    const own = list.length > 1 && !perStep ? [list[part] ?? list[0]!] : list;
    return own.map((pl) => ({ tensor, cls: pl.cls, level: pl.level, core: pl.core, bytes: pl.bytes }));
  });
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export function mapMemory(plan: TaskPlan, tasks: Task[]): { tasks: Task[]; placements: TensorPlacement[] } {
  const graph: Graph = plan.graph;
  const consumers = new Map<string, IrNode[]>();
  for (const node of graph.nodes) for (const t of node.inputs) push(consumers, t, node);
  const ctx: Ctx = {
    plan, producer: producerIndex(graph), consumers, position: new Map(tasks.map((t, i) => [t.id, i])),
    prevDeps: new Map(tasks.map((t) => [t.id, new Set(t.prevIterationDeps)])), kept: new Set(keptTensors(graph)),
  };
  const placements = assignLevels(ctx, Object.values(graph.tensors).flatMap((t) => placementsOf(ctx, t)), tasks.length);
  const byTensor = new Map<string, TensorPlacement[]>();
  for (const pl of placements) push(byTensor, pl.tensor, pl);
  const nodeById = new Map(graph.nodes.map((n) => [n.id, n]));
  const mapped = tasks.map((task) => {
    const node = nodeById.get(task.node)!;
    const perStep = node.perStep === true || plan.parts === 1;
    // Shards and micro-batches both index placements by the part number in the task id.
    const part = Number(task.id.split('#')[1] ?? 0);
    return { ...task, reads: accessesOf(part, node.inputs, byTensor, perStep), writes: accessesOf(part, node.outputs, byTensor, perStep) };
  });
  return { tasks: mapped, placements };
}
