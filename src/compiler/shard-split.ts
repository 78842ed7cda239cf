// How a node's work is shared among its tasks. Micro-batches, then row shards (or the blocks of a
// grid of the output), each take a whole piece of the dimension they cut, and the pieces sum to it
// exactly: the tasks of a node do the node's work, no more (no task computes a row beyond the real
// ones; with fewer rows than shards some shards get none and take no cycles). The busiest piece is
// ceil(n / count), the share the time estimates use. Under pipelined schedules a GEMM may be split
// over a grid of its output instead of its rows (pipelineGridOf).
import { computeCycles, unitFor } from '../hw/timing/unit-timing.js';
import type { HwModel } from '../hw/types.js';
import type { IrNode, Work } from '../ir/types.js';

/** One cut of a dimension: piece `index` of `count`. */
export interface Cut {
  index: number;
  count: number;
}

/** A GEMM's output split over gm x gn cores (rows x columns); shard s is row block s / gn, column block s % gn. */
export interface Grid {
  gm: number;
  gn: number;
}

/** Piece `index` of n cut into `count` whole pieces that differ by at most one and sum to n. */
export function pieceOf(n: number, { index, count }: Cut): number {
  return Math.floor(((index + 1) * n) / count) - Math.floor((index * n) / count);
}

/**
 * A task's share of a node's work: its micro-batch's piece (if any), then its shard's piece of that.
 * Row-carrying GEMMs split their rows (m; k for a gradient product, whose rows are the reduction
 * dimension: partial gradients follow); an output split (byOutput) gives each shard its columns (n:
 * the rows stream through a weight-stationary array and stay long) of its micro-batch's rows;
 * vector work splits its elements and transfers their bytes. An AllReduce is not split (see
 * collective.ts).
 */
export function splitWork(node: IrNode, work: Work, micro: Cut | undefined, shard: Cut, byOutput = false): Work {
  if (node.kind === 'AllReduce' || ((micro?.count ?? 1) === 1 && shard.count === 1)) return work;
  const ofMicro = (n: number): number => (micro ? pieceOf(n, micro) : n);
  const share = (n: number): number => pieceOf(ofMicro(n), shard);
  switch (work.kind) {
    case 'gemm': {
      const rowsK = node.kind === 'GradProduct' && !node.perStep;
      if (byOutput)
        return rowsK ? { ...work, k: ofMicro(work.k), n: pieceOf(work.n, shard) } : { ...work, n: share(work.n) };
      return rowsK ? { ...work, k: share(work.k) } : { ...work, m: share(work.m) };
    }
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

/** Block `shard` of a GEMM on a grid of its output: its rows (those of micro-batch `micro`, if any) and columns. */
export function gridWork(work: Extract<Work, { kind: 'gemm' }>, grid: Grid, shard: number, micro?: Cut): Work {
  const rows = micro ? pieceOf(work.m, micro) : work.m;
  return {
    ...work,
    m: pieceOf(rows, { index: Math.floor(shard / grid.gn), count: grid.gm }),
    n: pieceOf(work.n, { index: shard % grid.gn, count: grid.gn }),
  };
}

/** Work that computes and moves nothing (a shard left without rows). */
export function isEmptyWork(work: Work): boolean {
  switch (work.kind) {
    case 'gemm':
      return work.m === 0 || work.n === 0 || work.k === 0 || work.groups === 0;
    case 'vector':
      return work.elements === 0;
    case 'transfer':
      return work.bytes === 0;
    case 'none':
      return false;
    default:
      return work satisfies never;
  }
}

/**
 * Under pipelined schedules a micro-batch's rows over a stage's cores can leave each task a few
 * rows, while a weight-stationary array pays its per-fold load and skew on every task whatever its
 * rows. A forward or input-gradient GEMM (one group, not per step) over `count` cores whose row
 * shards are shorter than the array's rows is split on the gm x gn grid of its output (gm x gn =
 * count) whose busiest block takes the fewest cycles by the unit timing (the compiler's cost
 * model); the row split (gn = 1) wins ties. Longer row shards keep the row split: a grid's cores
 * each read the micro-batch's rows whole, gn times the row operand's traffic, which only short rows
 * keep small. Gradient products keep their row split (partial gradients, summed by the all-reduce).
 * Undefined: the row split.
 */
export function pipelineGridOf(
  hw: HwModel,
  node: IrNode,
  work: Work,
  count: number,
  microBatches: number,
): Grid | undefined {
  if (count <= 1 || node.perStep || node.kind === 'GradProduct') return undefined;
  if (work.kind !== 'gemm' || work.groups !== 1) return undefined;
  const unit = unitFor(hw, work, 0);
  const array = hw.cores.systolic.find((a) => a.name === unit.unit);
  const rows = Math.ceil(work.m / microBatches);
  if (!array || Math.ceil(rows / count) >= array.rows) return undefined;
  const cycles = (gm: number, gn: number): number =>
    computeCycles(hw, unit, { ...work, m: Math.ceil(rows / gm), n: Math.ceil(work.n / gn) });
  let best = { gm: count, gn: 1, cycles: cycles(count, 1) };
  for (let gn = 2; gn <= Math.min(count, work.n); gn++) {
    if (count % gn !== 0) continue;
    const c = cycles(count / gn, gn);
    if (c < best.cycles) best = { gm: count / gn, gn, cycles: c };
  }
  return best.gn > 1 ? { gm: best.gm, gn: best.gn } : undefined;
}

/**
 * Under pipelined schedules a per-row gradient product dW = D^T X over `count` cores whose row
 * shards (its reduction dimension k: a micro-batch's rows over the cores) are shorter than the
 * array's rows is split over its output columns instead, where the unit timing makes that faster:
 * each core streams the micro-batch's rows into its columns of dW, adding into them over the
 * micro-batches, so no partial gradients are left to all-reduce.
 */
export function pipelineGradOutputSplit(
  hw: HwModel,
  node: IrNode,
  work: Work,
  count: number,
  microBatches: number,
): boolean {
  if (count <= 1 || node.perStep || node.kind !== 'GradProduct' || work.kind !== 'gemm') return false;
  const unit = unitFor(hw, work, 0);
  const array = hw.cores.systolic.find((a) => a.name === unit.unit);
  const rows = Math.ceil(work.k / microBatches);
  if (!array || Math.ceil(rows / count) >= array.rows || count > work.n) return false;
  const byRows = computeCycles(hw, unit, { ...work, k: Math.ceil(rows / count) });
  return computeCycles(hw, unit, { ...work, k: rows, n: Math.ceil(work.n / count) }) < byRows;
}
