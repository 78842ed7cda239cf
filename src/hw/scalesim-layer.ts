// A SCALE-Sim topology layer as plain data, in SCALE-Sim's own terms (GEMM rows are 1xK convs), and
// SCALE-Sim's output-size rule. The topology importer (src/models/importers) produces these; the
// simulator's SCALE-Sim model (sim/scalesim*.ts) reads them, so the command hands sim/ parsed layers.
export interface ScaleSimLayer {
  name: string;
  ifmapHeight: number;
  ifmapWidth: number;
  filterHeight: number;
  filterWidth: number;
  channels: number;
  numFilters: number;
  strideHeight: number;
  strideWidth: number;
}

/** SCALE-Sim's output size: ceil((in - filter + stride) / stride), i.e. a partial last window counts. */
export function scaleSimOfmapSize(input: number, filter: number, stride: number): number {
  return Math.ceil((input - filter + stride) / stride);
}
