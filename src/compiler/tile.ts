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

/**
 * Bytes of level `index` the mapper may fill with resident tensors: a chip-wide level between a
 * farther level and the core (a shared L2) keeps half of its capacity for the blocks staged through
 * it on their way to the cores (large matrix products tile there, sim/units/staged-blocks.ts).
 */
export function residentRoom(hw: HwModel, index: number): number {
  const level = hw.memory[index]!;
  const between = index > 0 && index < hw.memory.length - 1 && level.scope === 'chip';
  return between ? Math.floor(level.capacityBytes / 2) : level.capacityBytes;
}
