// Closed forms and lower bounds the simulator must respect, computed without simulating: the
// per-fold GEMM cycle count, the compute and per-level bandwidth lower bounds of a compiled step,
// the analytic pipeline bubble ratio, and a quick analytic step estimate used as the bench's peer.
import type { CompiledStep } from '../src/compiler/types.js';
import type { HwModel } from '../src/hw/types.js';
import { computeCycles, peakMacsPerCycle, workMacs } from '../src/hw/timing/unit-timing.js';
import { systolicTiming } from '../src/hw/timing/systolic-array.js';

/** Cycles of one (m x k)·(k x n) GEMM on the first systolic array of `hw`, unlimited bandwidth. */
export function gemmCycles(hw: HwModel, m: number, n: number, k: number): number {
  const a = hw.cores.systolic[0];
  if (!a) return 0;
  return systolicTiming(a.dataflow, a.rows, a.cols, { m, n, k }).computeCycles;
}

/** GPipe / 1F1B idle fraction for S uniform stages and M micro-batches. */
export function analyticBubbleRatio(stages: number, microBatches: number): number {
  return (stages - 1) / (microBatches + stages - 1);
}

/**
 * Lower bound on the cycles of `iterations` iterations: every MAC needs a PE-cycle, and every level
 * instance moves its bytes no faster than its bandwidth.
 */
export function lowerBoundCycles(
  step: CompiledStep,
  iterations: number,
): { compute: number; bandwidth: Record<string, number>; bound: number } {
  const macs = step.tasks.reduce((s, t) => s + workMacs(t.work), 0) * iterations;
  const compute = macs / Math.max(1, peakMacsPerCycle(step.hw));
  const bytes = new Map<string, number>();
  for (const t of step.tasks) {
    for (const a of [...t.reads, ...t.writes]) {
      const spec = step.hw.memory.find((m) => m.name === a.level);
      if (!spec) continue;
      const key = `${a.level}@${spec.scope === 'chip' ? -1 : a.core}`;
      bytes.set(key, (bytes.get(key) ?? 0) + a.bytes * iterations);
    }
  }
  const bandwidth: Record<string, number> = {};
  for (const [key, b] of bytes) {
    const spec = step.hw.memory.find((m) => m.name === key.slice(0, key.lastIndexOf('@')))!;
    bandwidth[key] = b / spec.bandwidthBytesPerCycle;
  }
  return { compute, bandwidth, bound: Math.max(compute, ...Object.values(bandwidth)) };
}

/**
 * Analytic estimate of one iteration with no memory stalls: the busiest unit's summed compute
 * cycles (a perfect pipeline). Cheap; the bench compares the event simulator against it.
 */
export function analyticIterationCycles(step: CompiledStep): number {
  const byUnit = new Map<string, number>();
  for (const t of step.tasks) {
    const key = `${t.unit.core}/${t.unit.unit}`;
    byUnit.set(key, (byUnit.get(key) ?? 0) + computeCycles(step.hw, t.unit, t.work));
  }
  return Math.max(0, ...byUnit.values());
}
