// SCALE-Sim topology rows from an imported ONNX graph: one row per Conv, Gemm and MatMul in graph order.
// SCALE-Sim takes padded inputs, so a conv's IFMAP size includes its padding; a Gemm or MatMul
// [M, K] x [K, N] is a 1x1 convolution on an M x 1 IFMAP with K channels and N filters (a MatMul's batch
// dims multiply M). A depthwise conv becomes SCALE-Sim's depthwise form (a name holding "DP", one filter).
// A dilated kernel is written as its dilated extent (SCALE-Sim has no dilation).
import { ConfigError } from '../../errors.js';
import { windowGeometry } from './onnx-compute-rules.js';
import { OpContext } from './onnx-context.js';
import type { ImportedOnnx } from './onnx-graph.js';
import type { OnnxNode } from './onnx-read.js';
import { size } from './onnx-tensor.js';
import type { ScaleSimLayer } from './scalesim-topology.js';

const gemmOps = new Set(['Conv', 'Gemm', 'MatMul']);

export function onnxScaleSimLayers(onnx: ImportedOnnx): ScaleSimLayer[] {
  const layers = onnx.compute.filter((n) => gemmOps.has(n.opType)).flatMap((n) => scaleSimRows(onnx, n));
  if (layers.length === 0)
    throw new ConfigError([`${onnx.graph.file}: no Conv, Gemm or MatMul node; SCALE-Sim has nothing to simulate`]);
  return layers;
}

function context(onnx: ImportedOnnx, node: OnnxNode): OpContext {
  const inputs = node.inputs.map((name) => (name === '' ? undefined : onnx.values.get(name)));
  return new OpContext(node, inputs, onnx.graph.opset, onnx.graph.file);
}

/** A row name SCALE-Sim reads back unchanged: no commas, and "DP" only where the layer is depthwise. */
const rowName = (name: string): string => name.replace(/[,\s]+/g, '_').replace(/DP/g, 'Dp');

function scaleSimRows(onnx: ImportedOnnx, node: OnnxNode): ScaleSimLayer[] {
  const c = context(onnx, node);
  if (node.opType !== 'Conv') {
    const shape = (i: number): number[] => c.input(i).shape;
    const out = onnx.values.get(node.outputs[0] ?? '')?.shape ?? [];
    const n = out[out.length - 1] ?? 1;
    const k = node.opType === 'Gemm' && c.int('transA', 0) === 1 ? (shape(0)[0] ?? 1) : (shape(0).at(-1) ?? 1);
    return [gemmRow(rowName(node.name), size(out) / n, k, n)];
  }
  const x = c.input(0).shape;
  const w = c.input(1).shape;
  const spatial = x.slice(2);
  const g = windowGeometry(c, spatial, c.ints('kernel_shape', w.slice(2)));
  const twoD = spatial.length === 2;
  const padded = spatial.map((s, i) => s + (g.pads[i] ?? 0) + (g.pads[i + spatial.length] ?? 0));
  const extent = g.kernel.map((k, i) => (k - 1) * (g.dilations[i] ?? 1) + 1);
  const group = c.int('group', 1);
  const channels = x[1] ?? 1;
  const depthwise = group > 1 && group === channels && (w[0] ?? 0) === channels;
  const row: ScaleSimLayer = {
    name: depthwise ? `${rowName(node.name)}_DP` : rowName(node.name),
    ifmapHeight: twoD ? (padded[0] ?? 1) : 1,
    ifmapWidth: padded.at(-1) ?? 1,
    filterHeight: twoD ? (extent[0] ?? 1) : 1,
    filterWidth: extent.at(-1) ?? 1,
    channels: depthwise ? channels : (w[1] ?? 1),
    numFilters: depthwise ? 1 : (w[0] ?? 1),
    strideHeight: twoD ? (g.strides[0] ?? 1) : 1,
    strideWidth: g.strides.at(-1) ?? 1,
  };
  if (spatial.length > 2) c.fail(`a ${spatial.length}-D convolution; allowed for SCALE-Sim: 1-D and 2-D`);
  return [row];
}

function gemmRow(name: string, m: number, k: number, n: number): ScaleSimLayer {
  return {
    name,
    ifmapHeight: m,
    ifmapWidth: 1,
    filterHeight: 1,
    filterWidth: 1,
    channels: k,
    numFilters: n,
    strideHeight: 1,
    strideWidth: 1,
  };
}

/** The layers as a SCALE-Sim conv topology CSV (its header; every row ends with a comma). */
export function scaleSimTopologyCsv(layers: readonly ScaleSimLayer[]): string {
  const header = 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n';
  const rows = layers.map((l) => {
    const strides = l.strideHeight === l.strideWidth ? [l.strideHeight] : [l.strideHeight, l.strideWidth];
    const cells = [l.ifmapHeight, l.ifmapWidth, l.filterHeight, l.filterWidth, l.channels, l.numFilters, ...strides];
    return `${l.name}, ${cells.join(', ')},\n`;
  });
  return header + rows.join('');
}
