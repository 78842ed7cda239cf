// Tiling: how many back-to-back tiles a GEMM task needs so that its working set (both operands and
// the result, per the task's share of the rows) fits the on-chip buffer (half of it when the level
// double-buffers). Tiles of one task run on one unit, so they stay one task with a tile count;
// only tasks that do not fit are split. Vector and transfer work streams and is never tiled.
import type { HwModel, MemoryLevelSpec } from '../hw/types.js';
import type { Work } from '../ir/types.js';

/** The nearest level that is not the last (off-chip) one; undefined on a single-level model. */
export function onChipLevel(hw: HwModel): MemoryLevelSpec | undefined {
  return hw.memory.length > 1 ? hw.memory[0] : undefined;
}

export function offChipLevel(hw: HwModel): MemoryLevelSpec {
  const level = hw.memory.at(-1);
  if (!level) throw new Error(`hardware model ${hw.name} has no memory level`);
  return level;
}

export function tileCount(work: Work, hw: HwModel, floatBytes: number): number {
  const level = onChipLevel(hw);
  if (work.kind !== 'gemm' || !level) return 1;
  const budgetBytes = level.doubleBuffered ? level.capacityBytes / 2 : level.capacityBytes;
  const workingSetBytes = (work.m * work.k + work.k * work.n + work.m * work.n) * work.groups * floatBytes;
  return Math.max(1, Math.ceil(workingSetBytes / budgetBytes));
}
