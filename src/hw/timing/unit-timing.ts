// The one definition of a hardware unit's timing: which kind a unit is, which unit of a core runs a
// piece of work, and its compute cycles (systolic arrays: src/hw/timing/systolic-array.ts; vector
// units: one op per lane per cycle; links: NoC bandwidth plus hop latency; a model's opCosts per op
// class on top). The compiler's cost model and the simulator both read this file, so the estimate
// that partitions stages and the simulation cannot drift. Memory time is not here
// (sim/units/memory.ts and sim/engine.ts).
import type { Work } from '../../ir/types.js';
import type { HwModel } from '../types.js';
import { systolicCycles } from './systolic-array.js';

export type UnitKind = 'systolic' | 'vector' | 'link';

/** A unit a task runs on: a systolic array, a vector unit or the link/DMA engine of one core. */
export interface UnitRef {
  core: number;
  unit: string;
}

export function unitKind(hw: HwModel, unit: UnitRef): UnitKind {
  if (hw.cores.systolic.some((s) => s.name === unit.unit)) return 'systolic';
  if (hw.cores.vector.some((v) => v.name === unit.unit)) return 'vector';
  return 'link';
}

/**
 * The unit of `core` that runs `work`: GEMMs on a systolic array (a vector unit without one),
 * elementwise work on a vector unit (an array without one), transfers on the link. `slot` spreads
 * work over a core's several units of a kind (slot modulo their count), so every unit is used.
 */
export function unitFor(hw: HwModel, work: Work, core: number, slot = 0): UnitRef {
  const pick = (list: { name: string }[]) => list[slot % Math.max(1, list.length)]?.name;
  const systolic = pick(hw.cores.systolic);
  const vector = pick(hw.cores.vector);
  const unit = work.kind === 'gemm' ? (systolic ?? vector) : work.kind === 'transfer' ? 'link' : (vector ?? systolic);
  return { core, unit: unit ?? 'link' };
}

/** MACs of a piece of work (0 for non-GEMM work). */
export function workMacs(work: Work): number {
  return work.kind === 'gemm' ? work.m * work.n * work.k * work.groups : 0;
}

/** Peak MACs per cycle of the whole chip (every systolic array of every core). */
export function peakMacsPerCycle(hw: HwModel): number {
  return hw.cores.count * hw.cores.systolic.reduce((s, a) => s + a.rows * a.cols, 0);
}

/** Cycles of a transfer of `bytes` over one NoC link and `hops` hops. */
export function linkCycles(hw: HwModel, bytes: number, hops = 1): number {
  if (bytes === 0) return 0;
  const bw = hw.noc?.linkBandwidthBytesPerCycle ?? hw.memory[hw.memory.length - 1]?.bandwidthBytesPerCycle ?? 1;
  return Math.ceil(bytes / bw) + hops * (hw.noc?.hopLatencyCycles ?? 0);
}

/** The latency part of a transfer (its hop latencies); the simulator moves its bytes on shared NoC links. */
export function linkLatencyCycles(hw: HwModel, work: Extract<Work, { kind: 'transfer' }>): number {
  return work.bytes === 0 ? 0 : (work.hops ?? 1) * (hw.noc?.hopLatencyCycles ?? 0);
}

/**
 * Cycles of `work` on `unit`, with no memory stalls: the unit's formula, or where the model costs
 * the work's op class, its fixed cycles plus its scale times the formula.
 */
export function computeCycles(hw: HwModel, unit: UnitRef, work: Work): number {
  const cycles = formulaCycles(hw, unit, work);
  const cost =
    (work.kind === 'gemm' || work.kind === 'vector') && work.op !== undefined ? hw.cores.opCosts?.[work.op] : undefined;
  return cost === undefined || cycles === 0 ? cycles : Math.ceil(cost.fixedCycles + cost.scale * cycles);
}

function formulaCycles(hw: HwModel, unit: UnitRef, work: Work): number {
  const array = hw.cores.systolic.find((s) => s.name === unit.unit);
  const vector = hw.cores.vector.find((v) => v.name === unit.unit);
  switch (work.kind) {
    case 'gemm': {
      if (work.m === 0 || work.n === 0 || work.k === 0 || work.groups === 0) return 0;
      if (array) {
        return (
          work.groups *
          systolicCycles(
            array.dataflow,
            array.rows,
            array.cols,
            { m: work.m, n: work.n, k: work.k },
            array.weightDoubleBuffered ?? false,
          )
        );
      }
      return Math.ceil(workMacs(work) / (vector?.lanes ?? 1));
    }
    case 'vector': {
      const lanes = vector?.lanes ?? array?.cols ?? 1;
      return Math.ceil((work.elements * work.opsPerElement) / lanes);
    }
    case 'transfer':
      return linkCycles(hw, work.bytes, work.hops ?? 1);
    case 'none':
      return 0;
    default:
      return work satisfies never;
  }
}
