// SCALE-Sim's operand address matrices and the per-cycle demand rows and prefetch order built from
// them (compute/operand_matrix.py and systolic_compute_{os,ws,is}.py), generated lazily so only the
// USER-bandwidth memory model pays for them. -1 marks an empty slot, as in SCALE-Sim.
import type { Dataflow } from '../src/hw/types.js';
import { scaleSimOfmapSize, type ScaleSimLayer } from '../src/hw/scalesim-layer.js';
import { foldCycles, spatioTemporal } from '../src/hw/timing/systolic-array.js';

export interface Offsets {
  ifmap: number;
  filter: number;
  ofmap: number;
}

/** Address matrices: ifmap (px x window), filter (window x filters), ofmap (px x filters). */
export class OperandMatrices {
  readonly px: number;
  readonly window: number;
  readonly filters: number;
  private readonly ifmapAddr: Int32Array;

  constructor(
    layer: ScaleSimLayer,
    private readonly offsets: Offsets,
  ) {
    const eh = scaleSimOfmapSize(layer.ifmapHeight, layer.filterHeight, layer.strideHeight);
    const ew = scaleSimOfmapSize(layer.ifmapWidth, layer.filterWidth, layer.strideWidth);
    this.px = eh * ew;
    this.window = layer.filterHeight * layer.filterWidth * layer.channels;
    this.filters = layer.numFilters;
    this.ifmapAddr = new Int32Array(this.px * this.window);
    const ch = layer.channels;
    const rowPitch = layer.ifmapWidth * ch;
    for (let i = 0; i < this.px; i++) {
      const iRow = Math.floor(i / ew) * layer.strideHeight;
      const iCol = (i % ew) * layer.strideWidth;
      for (let j = 0; j < this.window; j++) {
        const cRow = Math.floor(j / (layer.filterWidth * ch));
        const rest = j % (layer.filterWidth * ch);
        const cCol = Math.floor(rest / ch);
        // Windows that run past the ifmap edge (SCALE-Sim's ceil output size) read nothing.
        const inside = cRow + iRow < layer.ifmapHeight && cCol + iCol < layer.ifmapWidth;
        this.ifmapAddr[i * this.window + j] = inside
          ? offsets.ifmap + (iRow + cRow) * rowPitch + (iCol + cCol) * ch + (rest % ch)
          : -1;
      }
    }
  }

  ifmap(px: number, w: number): number {
    return this.ifmapAddr[px * this.window + w] ?? -1;
  }

  filter(w: number, f: number): number {
    return this.offsets.filter + f * this.window + w;
  }

  ofmap(px: number, f: number): number {
    return this.offsets.ofmap + this.filters * px + f;
  }
}

export type Operand = 'ifmap' | 'filter' | 'ofmap';

/** Demand rows of one layer on an R x C array: rows x width address grids, fold after fold. */
export class DemandStream {
  readonly sr: number;
  readonly sc: number;
  readonly t: number;
  readonly rowFolds: number;
  readonly colFolds: number;
  readonly rowsPerFold: number;

  constructor(
    private readonly op: OperandMatrices,
    private readonly dataflow: Dataflow,
    private readonly R: number,
    private readonly C: number,
  ) {
    ({ sr: this.sr, sc: this.sc, t: this.t } = spatioTemporal(dataflow, { m: op.px, n: op.filters, k: op.window }));
    this.rowFolds = Math.ceil(this.sr / R);
    this.colFolds = Math.ceil(this.sc / C);
    this.rowsPerFold = foldCycles(dataflow, R, C, this.t).demand;
  }

  get totalRows(): number {
    return this.rowFolds * this.colFolds * this.rowsPerFold;
  }

  /** Writes the non-empty addresses of `operand` at global demand row `row` into `out`; returns the count. */
  fill(operand: Operand, row: number, out: Int32Array): number {
    const fold = Math.floor(row / this.rowsPerFold);
    const k = row % this.rowsPerFold;
    const fc = Math.floor(fold / this.rowFolds);
    const fr = fold % this.rowFolds;
    const rowsUsed = Math.min(this.R, this.sr - fr * this.R);
    const colsUsed = Math.min(this.C, this.sc - fc * this.C);
    const ctx = { fr, fc, k, rowsUsed, colsUsed };
    let n = 0;
    const width = operandWidth(this.dataflow, operand, this.R, this.C);
    for (let lane = 0; lane < width; lane++) {
      const a = this.addr(operand, ctx, lane);
      if (a !== -1) out[n++] = a;
    }
    return n;
  }

  private addr(
    operand: Operand,
    c: { fr: number; fc: number; k: number; rowsUsed: number; colsUsed: number },
    lane: number,
  ): number {
    const { R, C, t: T, op } = this;
    const s = c.k - lane;
    const r0 = c.fr * R;
    const c0 = c.fc * C;
    if (this.dataflow === 'os') {
      if (operand === 'ifmap') return s >= 0 && s < T && lane < c.rowsUsed ? op.ifmap(r0 + lane, s) : -1;
      if (operand === 'filter') return s >= 0 && s < T && lane < c.colsUsed ? op.filter(s, c0 + lane) : -1;
      const q = s - (T - 1);
      return q >= 0 && q < R && R - 1 - q < c.rowsUsed && lane < c.colsUsed ? op.ofmap(r0 + R - 1 - q, c0 + lane) : -1;
    }
    if (this.dataflow === 'ws') {
      if (operand === 'ifmap') return s >= R && s < R + T && lane < c.rowsUsed ? op.ifmap(s - R, r0 + lane) : -1;
      if (operand === 'filter')
        return c.k < R && R - 1 - c.k < c.rowsUsed && lane < c.colsUsed ? op.filter(r0 + R - 1 - c.k, c0 + lane) : -1;
      const q = s - (2 * R - 1);
      return q >= 0 && q < T && lane < c.colsUsed ? op.ofmap(q, c0 + lane) : -1;
    }
    if (operand === 'ifmap')
      return c.k < R && R - 1 - c.k < c.rowsUsed && lane < c.colsUsed ? op.ifmap(c0 + lane, r0 + R - 1 - c.k) : -1;
    if (operand === 'filter') return s >= R && s < R + T && lane < c.rowsUsed ? op.filter(r0 + lane, s - R) : -1;
    const q = s - (2 * R - 1);
    return q >= 0 && q < T && lane < c.colsUsed ? op.ofmap(c0 + lane, q) : -1;
  }

  /** The order in which SCALE-Sim prefetches an operand from DRAM (its prefetch matrix, flattened). */
  prefetchOrder(operand: 'ifmap' | 'filter'): number[] {
    const { R, C, t: T, sr, op } = this;
    const df = this.dataflow;
    const grid = (
      folds: number,
      foldRows: number,
      width: number,
      used: (f: number) => number,
      at: (f: number, r: number, lane: number) => number,
    ) => ({
      rows: folds * foldRows,
      width,
      get: (row: number, lane: number) => {
        const f = Math.floor(row / foldRows);
        return lane < used(f) ? at(f, row % foldRows, lane) : -1;
      },
    });
    const rowUsed = (f: number) => Math.min(R, sr - f * R);
    const colUsed = (f: number) => Math.min(C, this.sc - f * C);
    const g =
      df === 'os'
        ? operand === 'ifmap'
          ? grid(this.rowFolds, T, R, rowUsed, (f, t, l) => op.ifmap(f * R + l, t))
          : grid(this.colFolds, T, C, colUsed, (f, t, l) => op.filter(t, f * C + l))
        : df === 'ws'
          ? operand === 'ifmap'
            ? grid(this.rowFolds, T, R, rowUsed, (f, t, l) => op.ifmap(t, f * R + l))
            : grid(this.colFolds, sr, C, colUsed, (f, s, l) => op.filter(s, f * C + l))
          : operand === 'ifmap'
            ? grid(this.colFolds, sr, C, colUsed, (f, s, l) => op.ifmap(f * C + l, s))
            : grid(this.rowFolds, T, R, rowUsed, (f, t, l) => op.filter(f * R + l, t));
    // SCALE-Sim rolls skewed operands out along anti-diagonals (its fix for issues #15/#16).
    const diagonal = df === 'os' || (df === 'ws' && operand === 'ifmap') || (df === 'is' && operand === 'filter');
    const out: number[] = [];
    if (!diagonal) {
      for (let r = 0; r < g.rows; r++) for (let l = 0; l < g.width; l++) out.push(g.get(r, l));
      return out;
    }
    for (let d = 0; d < g.rows + g.width; d++) {
      const maxRow = Math.min(d, g.rows - 1);
      const minRow = Math.max(0, d - g.width + 1);
      for (let r = maxRow; r >= minRow; r--) out.push(g.get(r, d - r));
    }
    return out;
  }
}

/** Lanes of an operand's demand row: the array edge it enters or leaves through. */
export function operandWidth(dataflow: Dataflow, operand: Operand, rows: number, cols: number): number {
  if (operand === 'ofmap') return cols;
  if (dataflow === 'is') return operand === 'ifmap' ? cols : rows;
  return operand === 'ifmap' ? rows : cols;
}
