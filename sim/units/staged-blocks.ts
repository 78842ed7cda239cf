// Room for staged blocks: a read whose tensor lives beyond a chip-wide level between it and the core
// (a shared L2 between DRAM and the L1) is fetched into that level once and re-read from it by the
// inner tiles (and by the other cores of its GEMM grid). That block occupies the level while its
// task runs. Per node and micro-batch (the tasks that run together), blocks are given the room the
// level has left beside the tensors that live there over those tasks (task-list order); where the
// blocks do not fit, the tasks tile at the level in the room there is (more bytes cross into it,
// never more than if nothing were held there). Held blocks count in the level's peak
// (occupancy and spill), so a level is never shown holding more than its capacity while feasible.
import type { CompiledStep, Task } from '../../src/compiler/types.js';
import { lockstepWeight } from '../lockstep.js';
import type { IrNode, TensorClass, Work } from '../../src/ir/types.js';
import {
  operandRole,
  outputTile,
  reuseFactor,
  tileBudgetWords,
  type OperandRole,
} from '../../src/compiler/stage-traffic.js';

/** A block held on a chip-wide level while task `task` (index in the step's tasks) runs. */
export interface StagedBlock {
  task: number;
  level: number;
  cls: TensorClass;
  bytes: number;
}

export interface StagedRoom {
  held: StagedBlock[];
  /** Reads whose group's blocks did not fit, by crossingKey(task, tensor, level): bytes crossing into the level per byte read. */
  crossing: Map<string, number>;
}

export const crossingKey = (task: Task, tensor: string, level: number): string =>
  `${task.id}\u0000${tensor}\u0000${level}`;

/** Live bytes of the placements on a chip-wide level at each task-list position (persistent: all of them). */
function residentBytes(step: CompiledStep, level: string): Float64Array {
  const n = step.tasks.length;
  const index = new Map(step.tasks.map((t, i) => [t.id, i]));
  const delta = new Float64Array(n + 1);
  for (const p of step.placements) {
    if (p.level !== level) continue;
    const from = p.persistent || p.firstTask === undefined ? 0 : (index.get(p.firstTask) ?? 0);
    const to = p.persistent || p.lastTask === undefined ? n : (index.get(p.lastTask) ?? n - 1) + 1;
    delta[from]! += p.bytes;
    delta[Math.max(from + 1, to)]! -= p.bytes;
  }
  let live = 0;
  return delta.map((d) => (live += d));
}

/** Task indices per node and micro-batch, in task order. */
function groupsOf(tasks: readonly Task[]): number[][] {
  const groups = new Map<string, number[]>();
  tasks.forEach((t, i) => {
    const key = `${t.node}\u0000${t.microBatch}`;
    const g = groups.get(key);
    if (g) g.push(i);
    else groups.set(key, [i]);
  });
  return [...groups.values()];
}

interface NeededRead {
  task: number;
  tensor: string;
  cls: TensorClass;
  role: OperandRole;
  share: number;
  /** The reader's share of the block, whole bytes. */
  bytes: number;
}

/** Reads of a group that need a block on level j: re-read by the inner tiles, or shared with other readers. */
function neededReads(step: CompiledStep, group: number[], j: number, deps: StagedRoomDeps): NeededRead[] {
  const budget = tileBudgetWords(step.hw, j - 1);
  const out: NeededRead[] = [];
  for (const i of group) {
    const task = step.tasks[i]!;
    const node = deps.nodes.get(task.node);
    for (const a of task.reads) {
      if (deps.homeOf(a.level, a.core) <= j || a.bytes <= 0) continue;
      const role = node ? operandRole(node, a.tensor) : 'once';
      const share = deps.share(task, a.tensor);
      if (reuseFactor(task.work, role, budget) === 1 && share >= 1) continue;
      // A lockstep task's cores each hold their block.
      const bytes = Math.ceil(a.bytes * share * lockstepWeight(task));
      out.push({ task: i, tensor: a.tensor, cls: a.cls, role, share, bytes });
    }
  }
  return out;
}

/**
 * Bytes crossing into the level per byte a reader reads when the group's blocks do not fit its
 * `free` bytes: a GEMM's tasks tile their output at the level as one m x n product (m and n from the
 * blocks of A and B over k), output-stationary in the free room, so A crosses ceil(n / tn) times and
 * B ceil(m / tm) times between them (each reader its share); other reads fetch their own copy.
 */
function crossingPerByte(step: CompiledStep, reads: NeededRead[], work: Work, free: number) {
  if (work.kind !== 'gemm') return () => 1;
  const w = step.hw.wordBytes;
  const sum = (role: OperandRole) => reads.reduce((s, r) => s + (r.role === role ? r.bytes : 0), 0);
  const m = Math.max(1, Math.round(sum('a') / (work.k * w)));
  const n = Math.max(1, Math.round(sum('b') / (work.k * w)));
  const { tm, tn } = outputTile(m, n, Math.floor(Math.max(0, free) / w));
  return (r: NeededRead) =>
    r.role === 'a' ? r.share * Math.ceil(n / tn) : r.role === 'b' ? r.share * Math.ceil(m / tm) : 1;
}

export interface StagedRoomDeps {
  nodes: ReadonlyMap<string, IrNode>;
  /** Level index of the instance an access lands on. */
  homeOf: (level: string, core: number) => number;
  /** The reader's share of a block fetched into a chip-wide level (sim/units/memory.ts chipSharesOf). */
  share: (task: Task, tensor: string) => number;
}

/**
 * Which staged blocks each chip-wide level between a read's home and the core holds (a group's
 * blocks that fit the room beside the resident tensors), and for groups whose blocks do not fit, the
 * tiled crossing into the level (the free room holds the tile: each block's share of it is held).
 */
export function stagedRoom(step: CompiledStep, deps: StagedRoomDeps): StagedRoom {
  const out: StagedRoom = { held: [], crossing: new Map() };
  const levels = step.hw.memory;
  const mids = levels.flatMap((m, j) => (j > 0 && j < levels.length - 1 && m.scope === 'chip' ? [j] : []));
  if (mids.length === 0) return out;
  const groups = groupsOf(step.tasks);
  for (const j of mids) {
    const live = residentBytes(step, levels[j]!.name);
    const capacity = levels[j]!.capacityBytes;
    for (const group of groups) {
      const reads = neededReads(step, group, j, deps);
      if (reads.length === 0) continue;
      const free = group.reduce((f, i) => Math.min(f, capacity - live[i]!), capacity);
      const total = reads.reduce((s, r) => s + r.bytes, 0);
      const fits = total <= free;
      const perByte = fits ? undefined : crossingPerByte(step, reads, step.tasks[group[0]!]!.work, free);
      for (const r of reads) {
        const bytes = fits ? r.bytes : Math.floor((r.bytes * Math.max(0, free)) / total);
        if (bytes > 0) out.held.push({ task: r.task, level: j, cls: r.cls, bytes });
        if (perByte) out.crossing.set(crossingKey(step.tasks[r.task]!, r.tensor, j), perByte(r));
      }
    }
  }
  return out;
}
