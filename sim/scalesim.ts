// SCALE-Sim-compatible per-layer timing: the closed-form fold model (src/hw/timing/systolic-array.ts) for
// stall-free runs (InterfaceBandwidth CALC) and the double-buffered memory model
// (sim/scalesim-memory.ts) for a user DRAM bandwidth; plus SCALE-Sim's COMPUTE_REPORT.csv format.
import type { ScaleSimConfig } from '../src/hw/scalesim-cfg.js';
import { scaleSimOfmapSize, type ScaleSimLayer } from '../src/hw/scalesim-layer.js';
import { runScaleSimMemory } from './scalesim-memory.js';
import { DemandStream, OperandMatrices } from './scalesim-operands.js';
import { systolicTiming } from '../src/hw/timing/systolic-array.js';

export interface ScaleSimLayerResult {
  layerId: number;
  name: string;
  /** Cycle of the last output write, counted from 0 (SCALE-Sim's Total Cycles). */
  totalCycles: number;
  stallCycles: number;
  overallUtilPercent: number;
  mappingEfficiencyPercent: number;
  computeUtilPercent: number;
  macs: number;
  folds: number;
}

/** M (output pixels), N (filters), K (window) of a layer, with SCALE-Sim's ceil output size. */
export function layerGemm(layer: ScaleSimLayer): { m: number; n: number; k: number } {
  const eh = scaleSimOfmapSize(layer.ifmapHeight, layer.filterHeight, layer.strideHeight);
  const ew = scaleSimOfmapSize(layer.ifmapWidth, layer.filterWidth, layer.strideWidth);
  return { m: eh * ew, n: layer.numFilters, k: layer.filterHeight * layer.filterWidth * layer.channels };
}

export function simulateScaleSimLayer(cfg: ScaleSimConfig, layer: ScaleSimLayer, layerId: number): ScaleSimLayerResult {
  const R = cfg.arrayHeight;
  const C = cfg.arrayWidth;
  const dims = layerGemm(layer);
  const timing = systolicTiming(cfg.dataflow, R, C, dims);
  let stallCycles = 0;
  if (cfg.interfaceBandwidth === 'USER') {
    const op = new OperandMatrices(layer, { ifmap: cfg.ifmapOffset, filter: cfg.filterOffset, ofmap: cfg.ofmapOffset });
    const stream = new DemandStream(op, cfg.dataflow, R, C);
    const kib = 1024; // SCALE-Sim words are one byte
    const sizes = { ifmap: cfg.ifmapSramKiB * kib, filter: cfg.filterSramKiB * kib, ofmap: cfg.ofmapSramKiB * kib };
    stallCycles = runScaleSimMemory(stream, sizes, cfg.bandwidthWordsPerCycle[0] ?? 10, Math.max(R, C)).stallCycles;
  }
  const totalCycles = timing.computeCycles - 1 + stallCycles;
  const macs = dims.m * dims.n * dims.k;
  return {
    layerId,
    name: layer.name,
    totalCycles,
    stallCycles,
    overallUtilPercent: (macs * 100) / (totalCycles * R * C),
    mappingEfficiencyPercent: timing.mappingEfficiency * 100,
    computeUtilPercent: timing.computeUtil * 100,
    macs,
    folds: timing.folds,
  };
}

export function simulateScaleSim(cfg: ScaleSimConfig, layers: readonly ScaleSimLayer[]): ScaleSimLayerResult[] {
  return layers.map((l, i) => simulateScaleSimLayer(cfg, l, i));
}

/** Python's str() of a float: integers keep a ".0". */
function pyFloat(x: number): string {
  return Number.isInteger(x) ? `${x}.0` : String(x);
}

/** COMPUTE_REPORT.csv exactly as SCALE-Sim writes it (trailing comma on every line). */
export function computeReportCsv(results: readonly ScaleSimLayerResult[]): string {
  const header = 'LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, Compute Util %,\n';
  const rows = results.map(
    (r) =>
      `${r.layerId}, ${r.totalCycles}, ${r.stallCycles}, ${pyFloat(r.overallUtilPercent)}, ${pyFloat(r.mappingEfficiencyPercent)}, ${pyFloat(r.computeUtilPercent)},\n`,
  );
  return header + rows.join('');
}

/** Parses a COMPUTE_REPORT.csv (SCALE-Sim's or ours) into numbers per layer. */
export function parseComputeReportCsv(text: string): {
  layerId: number;
  totalCycles: number;
  stallCycles: number;
  overallUtilPercent: number;
  mappingEfficiencyPercent: number;
  computeUtilPercent: number;
}[] {
  return text
    .split(/\r?\n/)
    .slice(1)
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [layerId, totalCycles, stallCycles, overallUtilPercent, mappingEfficiencyPercent, computeUtilPercent] = l
        .split(',')
        .map((s) => Number(s.trim()));
      return {
        layerId: layerId!,
        totalCycles: totalCycles!,
        stallCycles: stallCycles!,
        overallUtilPercent: overallUtilPercent!,
        mappingEfficiencyPercent: mappingEfficiencyPercent!,
        computeUtilPercent: computeUtilPercent!,
      };
    });
}
