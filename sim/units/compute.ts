// Compute cycles of one task on its unit: systolic arrays use the per-fold closed form of their
// dataflow (sim/units/systolic-array.ts), vector units one op per lane per cycle, links their NoC
// bandwidth plus one hop of latency. Memory time is added by sim/units/memory.ts, not here.
import type { UnitRef } from '../../src/compiler/types.js';
import type { HwModel } from '../../src/hw/types.js';
import type { Work } from '../../src/ir/types.js';
import { systolicTiming } from './systolic-array.js';

export type UnitKind = 'systolic' | 'vector' | 'link';

export function unitKind(hw: HwModel, unit: UnitRef): UnitKind {
  if (hw.cores.systolic.some((s) => s.name === unit.unit)) return 'systolic';
  if (hw.cores.vector.some((v) => v.name === unit.unit)) return 'vector';
  return 'link';
}

/** MACs of a piece of work (0 for non-GEMM work). */
export function workMacs(work: Work): number {
  return work.kind === 'gemm' ? work.m * work.n * work.k * work.groups : 0;
}

/** Peak MACs per cycle of the whole chip (every systolic array of every core). */
export function peakMacsPerCycle(hw: HwModel): number {
  return hw.cores.count * hw.cores.systolic.reduce((s, a) => s + a.rows * a.cols, 0);
}

/** Cycles of `work` on `unit`, with no memory stalls. */
export function computeCycles(hw: HwModel, unit: UnitRef, work: Work): number {
  const array = hw.cores.systolic.find((s) => s.name === unit.unit);
  const vector = hw.cores.vector.find((v) => v.name === unit.unit);
  switch (work.kind) {
    case 'gemm': {
      if (work.m === 0 || work.n === 0 || work.k === 0 || work.groups === 0) return 0;
      if (array) return work.groups * systolicTiming(array.dataflow, array.rows, array.cols, { m: work.m, n: work.n, k: work.k }).computeCycles;
      const lanes = vector?.lanes ?? 1;
      return Math.ceil(workMacs(work) / lanes);
    }
    case 'vector': {
      const lanes = vector?.lanes ?? array?.cols ?? 1;
      return Math.ceil((work.elements * work.opsPerElement) / lanes);
    }
    case 'transfer': {
      if (work.bytes === 0) return 0;
      const bw = hw.noc?.linkBandwidthBytesPerCycle ?? hw.memory[hw.memory.length - 1]?.bandwidthBytesPerCycle ?? 1;
      return Math.ceil(work.bytes / bw) + (hw.noc?.hopLatencyCycles ?? 0);
    }
    case 'none':
      return 0;
    default:
      return work satisfies never;
  }
}
