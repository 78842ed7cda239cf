// A deliberately simple cycle estimate used only to balance pipeline stages and size tiles:
// systolic GEMMs cost ceil(M/rows)*ceil(N/cols)*(K + rows + cols) per group (fill, stream, drain
// per fold; dataflow decides which operand dimension is streamed), vector work ops/lanes,
// transfers bytes over the NoC link. The simulator owns the real timing model.
import type { HwModel } from '../hw/types.js';
import type { Work } from '../ir/types.js';

function gemmCycles(hw: HwModel, w: Extract<Work, { kind: 'gemm' }>): number {
  const array = hw.cores.systolic[0];
  if (!array) return Math.ceil((w.m * w.n * w.k * w.groups) / Math.max(1, hw.cores.vector[0]?.lanes ?? 1));
  const { rows, cols } = array;
  const fold = (a: number, b: number, streamed: number): number => Math.ceil(a / rows) * Math.ceil(b / cols) * (streamed + rows + cols);
  switch (array.dataflow) {
    case 'os':
      return w.groups * fold(w.m, w.n, w.k);
    case 'ws':
      return w.groups * fold(w.k, w.n, w.m);
    case 'is':
      return w.groups * fold(w.k, w.m, w.n);
    default:
      return array.dataflow satisfies never;
  }
}

export function estimateCycles(work: Work, hw: HwModel): number {
  switch (work.kind) {
    case 'gemm':
      return gemmCycles(hw, work);
    case 'vector': {
      const lanes = hw.cores.vector[0]?.lanes ?? hw.cores.systolic[0]?.cols ?? 1;
      return Math.ceil((work.elements * work.opsPerElement) / lanes);
    }
    case 'transfer': {
      const bw = hw.noc?.linkBandwidthBytesPerCycle ?? hw.memory.at(-1)?.bandwidthBytesPerCycle ?? 1;
      return Math.ceil(work.bytes / bw);
    }
    case 'none':
      return 0;
    default:
      return work satisfies never;
  }
}
