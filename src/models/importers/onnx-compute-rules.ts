// Shape rules of the ONNX ops that compute on activations: convolution and pooling windows (with
// ONNX's pads, strides, dilations, auto_pad and ceil_mode), Gemm, MatMul, normalisations, reductions and
// the elementwise ops. Output shapes only; these ops never fold.
import { type OnnxValue, type OpContext, type OpRule, shaped } from './onnx-context.js';
import { OnnxDataType } from './onnx-read.js';
import { broadcastShapes, normAxis, size } from './onnx-tensor.js';

export interface WindowGeometry {
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** [begin per spatial axis..., end per spatial axis...] as ONNX writes pads. */
  pads: number[];
  output: number[];
}

/** Spatial geometry of a Conv, MaxPool or AveragePool node on an input of spatial size `spatial`. */
export function windowGeometry(c: OpContext, spatial: number[], kernel: number[]): WindowGeometry {
  const n = spatial.length;
  const strides = c.ints(
    'strides',
    kernel.map(() => 1),
  );
  const dilations = c.ints(
    'dilations',
    kernel.map(() => 1),
  );
  const ceil = c.int('ceil_mode', 0) === 1;
  const autoPad = c.string('auto_pad', 'NOTSET');
  const extent = kernel.map((k, i) => (k - 1) * (dilations[i] ?? 1) + 1);
  let pads = c.ints('pads', new Array<number>(2 * n).fill(0));
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const total = spatial.map((s, i) =>
      Math.max(0, (Math.ceil(s / (strides[i] ?? 1)) - 1) * (strides[i] ?? 1) + (extent[i] ?? 1) - s),
    );
    const small = total.map((t) => Math.floor(t / 2));
    const big = total.map((t, i) => t - (small[i] ?? 0));
    pads = autoPad === 'SAME_UPPER' ? [...small, ...big] : [...big, ...small];
  } else if (autoPad === 'VALID') pads = new Array<number>(2 * n).fill(0);
  const round = ceil ? Math.ceil : Math.floor;
  const output = spatial.map((s, i) => {
    const span = s + (pads[i] ?? 0) + (pads[i + n] ?? 0) - (extent[i] ?? 1);
    const out = round(span / (strides[i] ?? 1)) + 1;
    // ceil_mode: a last window that would start in the end padding is dropped (as PyTorch does).
    return ceil && (out - 1) * (strides[i] ?? 1) >= s + (pads[i] ?? 0) ? out - 1 : out;
  });
  if (output.some((o) => o < 1)) c.fail(`window ${kernel.join('x')} larger than the padded input ${spatial.join('x')}`);
  return { kernel, strides, dilations, pads, output };
}

function conv(c: OpContext): OnnxValue[] {
  const x = c.input(0);
  const w = c.input(1).shape;
  const group = c.int('group', 1);
  if (x.shape.length < 3 || w.length !== x.shape.length)
    c.fail(
      `input [${x.shape.join(', ')}] and weight [${w.join(', ')}]; allowed: [N, C, spatial...] with a weight of the same rank`,
    );
  if ((x.shape[1] ?? 0) !== (w[1] ?? 0) * group)
    c.fail(`input has ${x.shape[1]} channels, the weight expects ${(w[1] ?? 0) * group} (group ${group})`);
  const g = windowGeometry(c, x.shape.slice(2), c.ints('kernel_shape', w.slice(2)));
  return [shaped([x.shape[0] ?? 1, w[0] ?? 1, ...g.output], x.dataType)];
}

function pool(c: OpContext): OnnxValue[] {
  const x = c.input(0);
  const g = windowGeometry(c, x.shape.slice(2), c.ints('kernel_shape', []));
  const out = shaped([x.shape[0] ?? 1, x.shape[1] ?? 1, ...g.output], x.dataType);
  return c.node.outputs.length > 1 ? [out, shaped(out.shape, OnnxDataType.int64)] : [out];
}

function gemm(c: OpContext): OnnxValue[] {
  const a = c.input(0).shape;
  const b = c.input(1).shape;
  const [m, ka] = c.int('transA', 0) ? [a[1], a[0]] : [a[0], a[1]];
  const [kb, n] = c.int('transB', 0) ? [b[1], b[0]] : [b[0], b[1]];
  if (a.length !== 2 || b.length !== 2 || ka !== kb)
    c.fail(
      `operands [${a.join(', ')}] and [${b.join(', ')}] (transA ${c.int('transA', 0)}, transB ${c.int('transB', 0)}) do not multiply`,
    );
  return [shaped([m ?? 1, n ?? 1], c.input(0).dataType)];
}

/** The numpy matmul shapes of two operands: batch dims (broadcast), M, K, N. */
export function matmulDims(c: OpContext): { batch: number[]; m: number; k: number; n: number; out: number[] } {
  const a = c.input(0).shape;
  const b = c.input(1).shape;
  const a2 = a.length === 1 ? [1, ...a] : a;
  const b2 = b.length === 1 ? [...b, 1] : b;
  const [m, k] = a2.slice(-2) as [number, number];
  const [kb, n] = b2.slice(-2) as [number, number];
  if (k !== kb) c.fail(`operands [${a.join(', ')}] and [${b.join(', ')}] do not multiply`);
  const batch = broadcastShapes([a2.slice(0, -2), b2.slice(0, -2)], c.where);
  const out = [...batch, ...(a.length === 1 ? [] : [m]), ...(b.length === 1 ? [] : [n])];
  return { batch, m, k, n, out };
}

const matmul: OpRule = (c) => [shaped(matmulDims(c).out, c.input(0).dataType)];

function flatten(c: OpContext): OnnxValue[] {
  const x = c.input(0).shape;
  const axis = normAxis(c.int('axis', 1), x.length);
  return [shaped([size(x.slice(0, axis)), size(x.slice(axis))], c.input(0).dataType)];
}

/** The axes of ReduceMean: an attribute before opset 18, the second input from 18 on. */
function reduceAxes(c: OpContext, rank: number): number[] {
  const given = c.opset >= 18 ? (c.optional(1) ? c.constInts(1) : []) : c.ints('axes', []);
  if (given.length === 0 && c.int('noop_with_empty_axes', 0) === 0) return [...Array(rank).keys()];
  return given.map((a) => normAxis(a, rank));
}

function reduceMean(c: OpContext): OnnxValue[] {
  const x = c.input(0).shape;
  const axes = reduceAxes(c, x.length);
  const keep = c.int('keepdims', 1) === 1;
  const shape = x.flatMap((d, i) => (axes.includes(i) ? (keep ? [1] : []) : [d]));
  return [shaped(shape, c.input(0).dataType)];
}

function layerNorm(c: OpContext): OnnxValue[] {
  const x = c.input(0);
  const axis = normAxis(c.int('axis', -1), x.shape.length);
  const stats = x.shape.map((d, i) => (i < axis ? d : 1));
  return [shaped(x.shape, x.dataType), shaped(stats, x.dataType), shaped(stats, x.dataType)].slice(
    0,
    c.node.outputs.length,
  );
}

function batchNorm(c: OpContext): OnnxValue[] {
  const x = c.input(0);
  const channels = [x.shape[1] ?? 1];
  return [shaped(x.shape, x.dataType), shaped(channels, x.dataType), shaped(channels, x.dataType)].slice(
    0,
    c.node.outputs.length,
  );
}

const sameShape: OpRule = (c) => [shaped(c.input(0).shape, c.input(0).dataType)];

function dropout(c: OpContext): OnnxValue[] {
  const x = c.input(0);
  return [shaped(x.shape, x.dataType), shaped(x.shape, OnnxDataType.bool)].slice(0, c.node.outputs.length);
}

function globalAveragePool(c: OpContext): OnnxValue[] {
  const x = c.input(0).shape;
  return [shaped([...x.slice(0, 2), ...x.slice(2).map(() => 1)], c.input(0).dataType)];
}

export const computeRules: Record<string, OpRule> = {
  Conv: conv,
  MaxPool: pool,
  AveragePool: pool,
  GlobalAveragePool: globalAveragePool,
  Gemm: gemm,
  MatMul: matmul,
  Flatten: flatten,
  ReduceMean: reduceMean,
  LayerNormalization: layerNorm,
  BatchNormalization: batchNorm,
  Dropout: dropout,
  Relu: sameShape,
  Gelu: sameShape,
  Sigmoid: sameShape,
  Tanh: sameShape,
  Erf: sameShape,
  Sqrt: sameShape,
  Softmax: sameShape,
};
