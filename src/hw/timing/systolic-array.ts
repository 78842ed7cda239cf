// Closed-form timing of one GEMM on an R x C systolic array, per dataflow, following SCALE-Sim v2's
// demand-matrix construction (fill, steady state and drain per fold), and the same array with a
// double-buffered stationary operand (weights for ws, inputs for is, partial sums for os), which
// hides the per-fold load and drain behind the previous fold's streaming. The one systolic timing
// module: the compiler's cost model, the event simulator and `alrflow scalesim` all read it. Pure
// arithmetic: no memory model here (see sim/scalesim-memory.ts and sim/engine.ts for stalls).
import type { Dataflow } from '../types.js';

/** A GEMM as SCALE-Sim sees a layer: M output pixels, N filters, K = window size (MACs per output). */
export interface GemmDims {
  m: number;
  n: number;
  k: number;
}

export interface FoldTiming {
  /** Spatial rows/cols of the operand mapped on the array and the temporal length, per dataflow. */
  sr: number;
  sc: number;
  t: number;
  rowFolds: number;
  colFolds: number;
  folds: number;
  /** Demand rows (cycles) of one fold: fill + steady state + drain. */
  cyclesPerFold: number;
  /** SCALE-Sim's per-fold cycle count for Compute Util (one more skew than the demand rows for ws/is). */
  utilCyclesPerFold: number;
  /** folds x cyclesPerFold: cycles of the whole GEMM with no memory stalls (SCALE-Sim's model). */
  computeCycles: number;
  /** Mean over folds of used PEs / all PEs. */
  mappingEfficiency: number;
  /** Mean over folds of MACs / (PEs x utilCyclesPerFold). */
  computeUtil: number;
}

/** Spatial and temporal dimensions of each dataflow (SCALE-Sim topology_utils.calc_spatio_temporal_params). */
export function spatioTemporal(dataflow: Dataflow, d: GemmDims): { sr: number; sc: number; t: number } {
  switch (dataflow) {
    case 'os':
      return { sr: d.m, sc: d.n, t: d.k };
    case 'ws':
      return { sr: d.k, sc: d.n, t: d.m };
    case 'is':
      return { sr: d.k, sc: d.m, t: d.n };
    default:
      return dataflow satisfies never;
  }
}

/**
 * Per-fold cycles. os: operands stream for T cycles, skewed over R and C (T + R + C - 2).
 * ws/is: R cycles to load the stationary operand, T streaming, R + C - 2 of skew and drain (2R + C + T - 2).
 */
export function foldCycles(
  dataflow: Dataflow,
  rows: number,
  cols: number,
  t: number,
): { demand: number; util: number } {
  if (dataflow === 'os') return { demand: t + rows + cols - 2, util: t + rows + cols - 2 };
  return { demand: 2 * rows + cols + t - 2, util: 2 * rows + 2 * cols + t - 3 };
}

/** Cycles of a GEMM with no memory stalls, in closed form (O(1): no per-fold means). */
export function systolicCycles(
  dataflow: Dataflow,
  rows: number,
  cols: number,
  dims: GemmDims,
  stationaryDoubleBuffered = false,
): number {
  const { sr, sc, t } = spatioTemporal(dataflow, dims);
  const folds = Math.ceil(sr / rows) * Math.ceil(sc / cols);
  if (!stationaryDoubleBuffered) return folds * foldCycles(dataflow, rows, cols, t).demand;
  return dataflow === 'os' ? folds * t + rows + cols - 2 : rows + folds * Math.max(t, rows) + rows + cols - 2;
}

export function systolicTiming(dataflow: Dataflow, rows: number, cols: number, dims: GemmDims): FoldTiming {
  const { sr, sc, t } = spatioTemporal(dataflow, dims);
  const rowFolds = Math.ceil(sr / rows);
  const colFolds = Math.ceil(sc / cols);
  const folds = rowFolds * colFolds;
  const { demand, util } = foldCycles(dataflow, rows, cols, t);
  // Means summed fold by fold in SCALE-Sim's order (column folds outer) so the floats match its report.
  const pes = rows * cols;
  let mapSum = 0;
  let utilSum = 0;
  for (let fc = 0; fc < colFolds; fc++) {
    const colsUsed = Math.min(cols, sc - fc * cols);
    for (let fr = 0; fr < rowFolds; fr++) {
      const used = Math.min(rows, sr - fr * rows) * colsUsed;
      mapSum += used / pes;
      utilSum += (used * t) / (pes * util);
    }
  }
  return {
    sr,
    sc,
    t,
    rowFolds,
    colFolds,
    folds,
    cyclesPerFold: demand,
    utilCyclesPerFold: util,
    computeCycles: folds * demand,
    mappingEfficiency: mapSum / folds,
    computeUtil: utilSum / folds,
  };
}
