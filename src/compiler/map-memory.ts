// Memory mapping: places every tensor on a memory level (and core, for per-core levels) with the
// tasks that bound its lifetime, and fills each task's reads and writes. Layout: a row-carrying
// tensor (activations, noise, sign bits, losses, activation gradients) has one slot per micro-batch
// and row shard, on the core of the shard that produces it (a Transfer's copy on the receiving
// stage's cores); weights and optimizer state are replicated on every core that reads them (a
// weight-stationary core keeps its own copy); a weight gradient split over rows is one partial per
// core, full size (a systolic array accumulates a tile's partial sums in place, so only the finished
// partial is written, once per task); other weight-space tensors are split by elements. A task
// touches the slots its rows overlap, or its own core's copy. Policy: greedy first fit by lifetime
// onto the innermost on-chip level with room (any number of levels; replicas on a chip-wide level
// share one copy), in priority order — under pipelined schedules a stage's weights first
// (weight-stationary stages), then its short-lived activations, then what it keeps for the gradient
// (stored inputs, noise, sign bits); otherwise short-lived activations first. What does not fit
// spills to the off-chip level (replicas that spill share one off-chip copy); the step's input and
// labels stay off-chip. Optimizer updates are in place. A chip-wide level between off-chip memory
// and the cores (an L2) takes resident tensors up to half its capacity: the rest is the room for
// blocks staged through it (tile.ts residentRoom).
import { producerIndex } from '../ir/graph.js';
import { tensorBytes } from '../ir/tensor-bytes.js';
import type { IrNode, TensorInfo } from '../ir/types.js';
import { keptTensors } from './kept-bytes.js';
import { coresOf, gridFor, outputSplit, overlapping, type TaskPlan } from './build-tasks.js';
import { isEmptyWork, type Grid } from './shard-split.js';
import { isPipelined } from './schedules/registry.js';
import { offChipLevel, residentRoom } from './tile.js';
import { RangeMax } from './range-max.js';
import type { MemoryLevelSpec } from '../hw/types.js';
import type { Access, Task, TensorPlacement } from './types.js';

const rowClasses: ReadonlySet<TensorInfo['cls']> = new Set(['input', 'activation', 'noise', 'sign-bits', 'loss']);

/** Activation gradients carry rows like activations; weight gradients (and their sums) do not. */
export function isRowTensor(t: TensorInfo, producer: IrNode | undefined): boolean {
  if (rowClasses.has(t.cls)) return true;
  return (
    t.cls === 'gradient' &&
    producer !== undefined &&
    !producer.perStep &&
    producer.kind !== 'GradProduct' &&
    producer.kind !== 'AllReduce'
  );
}

/** One piece of a tensor: a micro-batch's row shard, a core's copy or an element shard. */
interface Slot {
  tensor: TensorInfo;
  row: boolean;
  micro: number | undefined;
  shard: number;
  count: number;
  core: number;
  bytes: number;
  /** A full copy owned by one core (weight replica, partial or reduced gradient). */
  perCore: boolean;
  /** Weight replicas: copies of one value, so replicas left off-chip share one copy. */
  replica: boolean;
  /** Lockstep: the slots of the cores run in step that this one stands for (their bytes on a chip-wide level); else 1. */
  standsFor: number;
}

interface Ref {
  slot: number;
  bytes: number;
}

function slotsOfTensor(plan: TaskPlan, t: TensorInfo, p: IrNode | undefined, consumers: IrNode[]): Slot[] {
  if (p?.kind === 'OptimizerUpdate') return [];
  const total = tensorBytes(t, plan.graph.meta.floatBytes);
  const row = isRowTensor(t, p);
  const first = consumers[0];
  const cores =
    p?.kind === 'Transfer' || (!p && row)
      ? first
        ? coresOf(plan, first)
        : [0]
      : p
        ? coresOf(plan, p)
        : [...new Set(consumers.flatMap((c) => coresOf(plan, c)))].sort((a, b) => a - b);
  const list = cores.length > 0 ? cores : [0];
  const micros = row && !p?.perStep && plan.parts > 1 ? Array.from({ length: plan.parts }, (_, i) => i) : [undefined];
  const perCore =
    !row && (!p || p.kind === 'AllReduce' || (p.kind === 'GradProduct' && !p.perStep && !outputSplit(plan, p)));
  const share = perCore ? total : Math.ceil(total / (micros.length * list.length));
  const slot = (micro: number | undefined, core: number, shard: number): Slot => ({
    tensor: t,
    row,
    micro,
    shard,
    count: list.length,
    core,
    bytes: share,
    perCore,
    replica: perCore && !p,
    standsFor: 1,
  });
  if (plan.lockstep && list.length > 1) {
    // Only the cores that run tasks hold slots: the last core of each core list that reads or writes the tensor.
    const last = !p ? [...new Set(consumers.map((c) => coresOf(plan, c).at(-1)!))] : [list.at(-1)!];
    const standsFor = perCore && !p ? 1 : list.length;
    return micros.flatMap((micro) => last.map((core) => ({ ...slot(micro, core, list.length - 1), standsFor })));
  }
  return micros.flatMap((micro) => list.map((core, shard) => slot(micro, core, shard)));
}

/** Share of slot i of ci covered by shard j of cj (1 when they are the same rows). */
function coverage(j: number, cj: number, i: number, ci: number): number {
  const lo = Math.max(j / cj, i / ci);
  const hi = Math.min((j + 1) / cj, (i + 1) / ci);
  return Math.max(0, hi - lo) * ci;
}

interface Layouts {
  /** The plan's lockstep (TaskPlan.lockstep): one slot per micro-batch and last core. */
  lockstep: boolean;
  slots: Slot[];
  byTensor: Map<string, number[]>;
  /** Per tensor of per-core copies: each core's first copy. */
  ownCopy: Map<string, Map<number, number>>;
}

/** The slot of a per-core tensor on `core` (the first copy when the core has none). */
function ownSlot(layouts: Layouts, tensor: string, ids: number[], core: number): number {
  let byCore = layouts.ownCopy.get(tensor);
  if (!byCore) {
    byCore = new Map();
    for (const i of ids) if (!byCore.has(layouts.slots[i]!.core)) byCore.set(layouts.slots[i]!.core, i);
    layouts.ownCopy.set(tensor, byCore);
  }
  return byCore.get(core) ?? ids[0]!;
}

/**
 * Slots of a tensor laid out micro-batch major (slotsOfTensor), in slot order: every micro-batch or
 * only `micro`, and every shard or only `shards` (ascending).
 */
function slotsAt(layouts: Layouts, ids: number[], micro: number | undefined, shards: number[] | undefined): number[] {
  const first = layouts.slots[ids[0]!]!;
  // In lockstep a tensor holds its last shard alone, which every last shard's rows overlap.
  if (layouts.lockstep && first.count > 1)
    return first.micro === undefined || micro === undefined
      ? ids
      : ids.filter((i) => layouts.slots[i]!.micro === micro);
  const count = first.count;
  const groups = ids.length / count;
  const only = first.micro !== undefined && micro !== undefined ? [micro] : undefined;
  const out: number[] = [];
  for (let g = 0; g < groups; g++) {
    if (only && layouts.slots[ids[g * count]!]!.micro !== only[0]) continue;
    if (!shards) for (let q = 0; q < count; q++) out.push(ids[g * count + q]!);
    else for (const q of shards) if (q < count) out.push(ids[g * count + q]!);
  }
  return out;
}

/** In lockstep, the shards a slot stands for (its tensor's other shards are not laid out); else 1. */
function shardsStoodFor(layouts: Layouts, slot: Slot): number {
  return layouts.lockstep && !slot.perCore ? slot.count : 1;
}

/** A read of every shard, in lockstep: one reference per shard the slot stands for, each of its bytes. */
function repeated(ref: Ref, times: number): Ref[] {
  return times === 1 ? [ref] : Array.from({ length: times }, () => ref);
}

/**
 * Operand reads of shard s of a GEMM on a gm x gn grid (row block s / gn, column block s % gn): a
 * forward or input-gradient GEMM reads its row block of the row-carrying operand (of its
 * micro-batch, if any) and 1/gn of the weight; a gradient product dW = D^T X over every row reads
 * 1/gm of D and 1/gn of X.
 */
function gridRefs(
  layouts: Layouts,
  node: IrNode,
  tensor: string,
  ids: number[],
  grid: Grid,
  { s, core, micro }: { s: number; core: number; micro: number | undefined },
): Ref[] {
  const slots = ids.map((i) => layouts.slots[i]!);
  const every = shardsStoodFor(layouts, slots[0]!);
  const part = (i: number, f: number): Ref[] =>
    repeated({ slot: i, bytes: Math.ceil(layouts.slots[i]!.bytes / f) }, every);
  if (node.kind === 'GradProduct') return ids.flatMap((i) => part(i, tensor === node.inputs[0] ? grid.gn : grid.gm));
  if (slots[0]!.perCore) return part(ownSlot(layouts, tensor, ids, core), grid.gn);
  if (!slots[0]!.row) return ids.flatMap((i) => part(i, grid.gn));
  const block = Math.floor(s / grid.gn);
  return slotsAt(layouts, ids, micro, overlapping(block, grid.gm, slots[0]!.count)).flatMap((i) => {
    const slot = layouts.slots[i]!;
    const share = coverage(block, grid.gm, slot.shard, slot.count);
    return share > 0 ? [{ slot: i, bytes: Math.ceil(Math.round(slot.bytes * share * 1e6) / 1e6) }] : [];
  });
}

/** Slot references of one task on one tensor. */
function refsOf(plan: TaskPlan, layouts: Layouts, node: IrNode, task: Task, tensor: string): Ref[] {
  const ids = layouts.byTensor.get(tensor) ?? [];
  const first = layouts.slots[ids[0] ?? -1];
  if (!first) return [];
  const j = task.shard?.index ?? 0;
  const c = task.shard?.count ?? 1;
  // A shard left without rows loads no weights.
  if (first.replica && isEmptyWork(task.work)) return [];
  const micro = node.perStep || plan.parts === 1 ? undefined : task.microBatch;
  const grid = gridFor(plan, node);
  if (grid && !node.outputs.includes(tensor))
    return gridRefs(layouts, node, tensor, ids, grid, { s: j, core: task.unit.core, micro });
  const split = outputSplit(plan, node);
  // An output-split gradient product (columns of dW = D^T X) reads its share of the layer input X and the error signal whole.
  if (split && node.kind === 'GradProduct' && tensor !== node.inputs[0] && !node.outputs.includes(tensor))
    return ids
      .filter((i) => micro === undefined || (layouts.slots[i]!.micro ?? micro) === micro)
      .flatMap((i) => repeated({ slot: i, bytes: layouts.slots[i]!.bytes }, shardsStoodFor(layouts, first)));
  const whole = (!node.perStep && !split) || node.kind === 'AllReduce';
  if (first.perCore) {
    const own = ownSlot(layouts, tensor, ids, task.unit.core);
    // A bias (and activation) reads only the bias of its layer's parameters: one value per output channel.
    const bias =
      node.kind === 'BiasAct' && first.tensor.cls === 'weight'
        ? (plan.graph.tensors[node.inputs[0]!]?.shape[1] ?? 1) * plan.graph.meta.floatBytes
        : Infinity;
    return [{ slot: own, bytes: Math.min(bias, Math.ceil(layouts.slots[own]!.bytes / (whole ? 1 : c))) }];
  }
  const shards = whole && !first.row ? undefined : overlapping(j, c, first.count);
  // A whole read of an element-split tensor reads every shard: in lockstep one slot stands for them.
  const every = shards ? 1 : shardsStoodFor(layouts, first);
  return slotsAt(layouts, ids, micro, shards).flatMap((i) => {
    const s = layouts.slots[i]!;
    const share = shards ? coverage(j, c, s.shard, s.count) : 1;
    return share > 0 ? repeated({ slot: i, bytes: Math.ceil(Math.round(s.bytes * share * 1e6) / 1e6) }, every) : [];
  });
}

interface Ctx {
  plan: TaskPlan;
  layouts: Layouts;
  position: Map<string, number>;
  kept: Set<string>;
  sourceTensors: Set<string>;
}

/** Lower is placed on-chip first: a pipeline stage keeps its weights; otherwise short-lived tensors go first. */
function priority(ctx: Ctx, pl: TensorPlacement): number {
  if (pl.cls === 'input' && ctx.sourceTensors.has(pl.tensor)) return Infinity;
  const longLived = pl.persistent || pl.cls === 'gradient' || ctx.kept.has(pl.tensor);
  if (isPipelined(ctx.plan.options.schedule)) return pl.persistent ? 0 : longLived ? 2 : 1;
  return longLived ? (pl.persistent ? 2 : 3) : 1;
}

/** Occupancy over task-list positions per on-chip level instance, sized by the lifetimes that may land there. */
function occupancyTrees(
  levels: MemoryLevelSpec[],
  ranked: { pl: TensorPlacement; ranges: [number, number][] }[],
): Map<number, RangeMax>[] {
  return levels.map((level) => {
    const rangesByCore = new Map<number, [number, number][]>();
    for (const { pl, ranges } of ranked) push(rangesByCore, level.scope === 'chip' ? -1 : pl.core, ...ranges);
    return new Map([...rangesByCore].map(([core, ranges]) => [core, new RangeMax(ranges)]));
  });
}

/**
 * Greedy first fit over lifetimes, level by level: each candidate goes to the innermost on-chip
 * level whose instance's occupancy over the candidate's lifetime leaves room for it (so no on-chip
 * level overflows), else off-chip; feasibility is decided by what lands off-chip. Weight replicas on
 * a chip-wide level are one shared copy: the first pays for its room, the others use it.
 */
function assignLevels(ctx: Ctx, placements: TensorPlacement[], taskCount: number): TensorPlacement[] {
  const levels = ctx.plan.hw.memory.slice(0, -1);
  const far = offChipLevel(ctx.plan.hw);
  if (levels.length === 0)
    return placements.map((pl, i) => ({
      ...pl,
      ...(far.scope === 'chip' ? { core: -1, bytes: pl.bytes * ctx.layouts.slots[i]!.standsFor } : {}),
      reason: 'one memory level',
    }));
  const shared = new Set<string>();
  // Task-list positions a placement is live at; one read in the next body wraps around the list.
  const span = (pl: TensorPlacement): [number, number][] => {
    const from = pl.persistent || !pl.firstTask ? 0 : (ctx.position.get(pl.firstTask) ?? 0);
    const to = pl.persistent || !pl.lastTask ? taskCount : (ctx.position.get(pl.lastTask) ?? taskCount);
    return pl.readNextIteration
      ? [
          [0, to],
          [from, taskCount],
        ]
      : [[from, to]];
  };
  const ranked = placements
    .map((pl, i) => ({ pl, i, rank: priority(ctx, pl), ranges: span(pl) }))
    .filter((c) => Number.isFinite(c.rank))
    .sort((a, b) => a.rank - b.rank || a.ranges.at(-1)![0] - b.ranges.at(-1)![0] || a.i - b.i);
  const occupancy = occupancyTrees(levels, ranked);
  const out = placements.map((pl, i) =>
    Number.isFinite(priority(ctx, pl)) ? pl : { ...pl, why: { kind: 'step-input' as const, full: [] } },
  );
  for (const { pl, i, ranges } of ranked) out[i] = placeOne(ctx, levels, occupancy, shared, pl, i, ranges);
  // Off-chip, a lockstep slot's bytes are those of every core it stands for.
  return out.map((pl, i) =>
    pl.level === far.name && far.scope === 'chip'
      ? { ...pl, core: -1, bytes: pl.bytes * ctx.layouts.slots[i]!.standsFor }
      : pl,
  );
}

/**
 * One candidate onto the innermost level with room over its lifetime (or off-chip), with why: the
 * levels that were full over its lifetime before the one it landed on, and the bytes live there.
 */
function placeOne(
  ctx: Ctx,
  levels: MemoryLevelSpec[],
  occupancy: Map<number, RangeMax>[],
  shared: Set<string>,
  pl: TensorPlacement,
  i: number,
  ranges: [number, number][],
): TensorPlacement {
  const { replica, standsFor } = ctx.layouts.slots[i]!;
  const full: [string, number][] = [];
  for (const [index, level] of levels.entries()) {
    const core = level.scope === 'chip' ? -1 : pl.core;
    const copy = replica && level.scope === 'chip' ? `${level.name}\u0000${pl.tensor}` : '';
    if (copy && shared.has(copy)) return { ...pl, level: level.name, core, why: { kind: 'shared-copy', full } };
    const bytes = level.scope === 'chip' ? pl.bytes * standsFor : pl.bytes;
    const occ = occupancy[index]!.get(core)!;
    let peak = 0;
    for (const [from, to] of ranges) peak = Math.max(peak, occ.peak(from, to));
    if (peak + bytes > residentRoom(ctx.plan.hw, index)) {
      full.push([level.name, peak]);
      continue;
    }
    for (const [from, to] of ranges) occ.add(from, to, bytes);
    if (copy) shared.add(copy);
    return { ...pl, level: level.name, core, bytes, why: { kind: 'fits', full } };
  }
  return { ...pl, why: { kind: 'off-chip', full } };
}

/** Placements with lifetimes from the tasks that write and read each slot, all off-chip. */
function placementsOf(ctx: Ctx, tasks: Task[], reads: Ref[][], writes: Ref[][]): TensorPlacement[] {
  const { slots } = ctx.layouts;
  const n = tasks.length;
  const firstWrite = new Array<number>(slots.length).fill(Infinity);
  const writers: number[][] = slots.map(() => []);
  writes.forEach((refs, t) =>
    refs.forEach((r) => {
      firstWrite[r.slot] = Math.min(firstWrite[r.slot]!, t);
      writers[r.slot]!.push(t);
    }),
  );
  const lastRead = new Array<number>(slots.length).fill(-1);
  // Tasks share their lists of previous-step dependencies (build-tasks.ts): one set per list.
  const prevSets = new Map<readonly string[], Set<string>>();
  const prevOf = (deps: readonly string[]): Set<string> => {
    let set = prevSets.get(deps);
    if (!set) prevSets.set(deps, (set = new Set(deps)));
    return set;
  };
  reads.forEach((refs, t) => {
    const deps = tasks[t]!.prevIterationDeps;
    const prev = deps.length > 0 ? prevOf(deps) : undefined;
    for (const r of refs) {
      const next = prev !== undefined && writers[r.slot]!.some((w) => prev.has(tasks[w]!.id));
      lastRead[r.slot] = Math.max(lastRead[r.slot]!, t + (next ? n : 0));
    }
  });
  const level = offChipLevel(ctx.plan.hw).name;
  return slots.map((s, i) => {
    const persistent = firstWrite[i] === Infinity && (s.tensor.cls === 'weight' || s.tensor.cls === 'optimizer-state');
    const first = firstWrite[i]! < Infinity ? tasks[firstWrite[i]!]!.id : undefined;
    const last = persistent || lastRead[i]! < 0 ? undefined : lastRead[i]! % n;
    return {
      tensor: s.tensor.id,
      cls: s.tensor.cls,
      level,
      core: s.core,
      bytes: s.bytes,
      persistent,
      ...(first ? { firstTask: first } : {}),
      ...(last !== undefined ? { lastTask: tasks[last]!.id } : {}),
      ...(last !== undefined && lastRead[i]! >= n ? { readNextIteration: true } : {}),
    };
  });
}

/** Replicas of one weight on a chip-wide level (L2, off-chip) are one copy: every reader of such a replica reads the first. */
function shareSpilledReplicas(ctx: Ctx, placements: TensorPlacement[]): { kept: boolean[]; target: number[] } {
  const chipWide = new Set(ctx.plan.hw.memory.filter((m) => m.scope === 'chip').map((m) => m.name));
  const firstOff = new Map<string, number>();
  const target = placements.map((_, i) => i);
  const kept = placements.map(() => true);
  placements.forEach((pl, i) => {
    if (!ctx.layouts.slots[i]!.replica || !chipWide.has(pl.level)) return;
    const key = `${pl.level}\u0000${pl.tensor}`;
    const f = firstOff.get(key);
    if (f === undefined) firstOff.set(key, i);
    else [target[i], kept[i]] = [f, false];
  });
  return { kept, target };
}

function push<K, V>(map: Map<K, V[]>, key: K, ...values: V[]): void {
  const list = map.get(key);
  if (list) list.push(...values);
  else map.set(key, values);
}

export function mapMemory(plan: TaskPlan, tasks: Task[]): { tasks: Task[]; placements: TensorPlacement[] } {
  const { graph } = plan;
  const producer = producerIndex(graph);
  const consumers = new Map<string, IrNode[]>();
  for (const node of graph.nodes) for (const t of node.inputs) push(consumers, t, node);
  const slots = Object.values(graph.tensors).flatMap((t) =>
    slotsOfTensor(plan, t, producer.get(t.id), consumers.get(t.id) ?? []),
  );
  const byTensor = new Map<string, number[]>();
  slots.forEach((s, i) => push(byTensor, s.tensor.id, i));
  const ctx: Ctx = {
    plan,
    layouts: { lockstep: plan.lockstep, slots, byTensor, ownCopy: new Map() },
    position: new Map(tasks.map((t, i) => [t.id, i])),
    kept: new Set(keptTensors(graph)),
    sourceTensors: new Set(Object.keys(graph.tensors).filter((id) => !producer.has(id))),
  };
  const nodeById = new Map(graph.nodes.map((n) => [n.id, n]));
  const nodes = tasks.map((task) => nodeById.get(task.node)!);
  const reads = tasks.map((task, t) =>
    nodes[t]!.inputs.flatMap((id) => refsOf(plan, ctx.layouts, nodes[t]!, task, id)),
  );
  const writes = tasks.map((task, t) =>
    nodes[t]!.outputs.flatMap((id) => refsOf(plan, ctx.layouts, nodes[t]!, task, id)),
  );
  const placed = assignLevels(ctx, placementsOf(ctx, tasks, reads, writes), tasks.length);
  const { kept, target } = shareSpilledReplicas(ctx, placed);
  // Accesses are read-only: tasks touching the same bytes of the same placement share one object.
  const made = new Map<number, Map<number, Access>>();
  const access = (r: Ref): Access => {
    const at = target[r.slot]!;
    let byBytes = made.get(at);
    if (!byBytes) made.set(at, (byBytes = new Map()));
    let a = byBytes.get(r.bytes);
    if (!a) {
      const pl = placed[at]!;
      byBytes.set(r.bytes, (a = { tensor: pl.tensor, cls: pl.cls, level: pl.level, core: pl.core, bytes: r.bytes }));
    }
    return a;
  };
  const mapped = tasks.map((task, t) => ({ ...task, reads: reads[t]!.map(access), writes: writes[t]!.map(access) }));
  return { tasks: mapped, placements: placed.filter((_, i) => kept[i]) };
}
