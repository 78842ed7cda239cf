// Where a systolic array's cycles go, per iteration: streaming the rows of each fold (folds x T)
// against the per-fold cost of loading the stationary operand, the skew and the drain (the rest of
// the unit timing). The per-fold cost is paid once per fold of every task, so a node split into more
// micro-batches (or shards) pays it more often while its streaming cycles stay the same.
import type { CompiledStep } from '../src/compiler/types.js';
import type { ArrayFoldStats } from '../src/report/sim-report.js';
import { spatioTemporal } from '../src/hw/timing/systolic-array.js';
import { computeCycles } from '../src/hw/timing/unit-timing.js';

interface Tally {
  folds: number;
  computeCycles: number;
  streamingCycles: number;
}

/** Folds, compute and streaming cycles of one iteration, summed over every array, and the busiest array's. */
export function arrayFoldStats(step: CompiledStep): ArrayFoldStats | undefined {
  const byUnit = new Map<string, Tally>();
  for (const t of step.tasks) {
    const array = step.hw.cores.systolic.find((s) => s.name === t.unit.unit);
    if (!array || t.work.kind !== 'gemm' || t.work.m === 0 || t.work.n === 0 || t.work.k === 0) continue;
    // systolicTiming's folds and streamed rows per fold, without its per-fold utilisation sums.
    const { sr, sc, t: rowsPerFold } = spatioTemporal(array.dataflow, t.work);
    const folds = Math.ceil(sr / array.rows) * Math.ceil(sc / array.cols);
    const cycles = computeCycles(step.hw, t.unit, t.work);
    const key = `${t.unit.core}/${t.unit.unit}`;
    const tally = byUnit.get(key) ?? { folds: 0, computeCycles: 0, streamingCycles: 0 };
    tally.folds += t.work.groups * folds;
    tally.computeCycles += cycles;
    tally.streamingCycles += Math.min(cycles, t.work.groups * folds * rowsPerFold);
    byUnit.set(key, tally);
  }
  if (byUnit.size === 0) return undefined;
  const all: Tally = { folds: 0, computeCycles: 0, streamingCycles: 0 };
  let busiest: [string, Tally] | undefined;
  for (const entry of byUnit) {
    all.folds += entry[1].folds;
    all.computeCycles += entry[1].computeCycles;
    all.streamingCycles += entry[1].streamingCycles;
    if (!busiest || entry[1].computeCycles > busiest[1].computeCycles) busiest = entry;
  }
  const [unit, top] = busiest!;
  return {
    ...withOverhead(all),
    busiestUnit: unit,
    busiest: withOverhead(top),
  };
}

function withOverhead(t: Tally): ArrayFoldStats['busiest'] {
  const foldOverheadCycles = t.computeCycles - t.streamingCycles;
  return {
    ...t,
    foldOverheadCycles,
    foldOverheadShare: t.computeCycles > 0 ? foldOverheadCycles / t.computeCycles : 0,
  };
}
