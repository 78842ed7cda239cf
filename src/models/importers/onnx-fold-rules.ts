// Shape rules of the ONNX ops that move, pick or combine elements (Reshape, Transpose, Concat, Split,
// Slice, Gather, Unsqueeze, Squeeze, Expand), make constants (Constant, ConstantOfShape, Shape) or
// compute elementwise (Add, Sub, Mul, Div, Pow, Equal, Where, Cast). Each gives the output shapes and,
// when every input is known at import and none is a trained weight, the output values: this is how
// PyTorch's shape arithmetic (Shape -> Gather -> Unsqueeze -> Concat -> Reshape) folds away.
import { known, type OnnxValue, type OpContext, type OpRule, shaped } from './onnx-context.js';
import { OnnxDataType, type OnnxTensor } from './onnx-read.js';
import {
  broadcastShapes,
  concat,
  gatherAxes,
  mapBroadcast,
  normAxis,
  size,
  sliceRange,
  tensor,
  transpose,
} from './onnx-tensor.js';

const int64 = OnnxDataType.int64;

/** The output value: folded when the node is foldable, a shape otherwise. */
function result(c: OpContext, shape: number[], dataType: number, evaluate: () => OnnxTensor): OnnxValue {
  return c.foldable ? known(evaluate()) : shaped(shape, dataType);
}

function reshape(c: OpContext): OnnxValue[] {
  const x = c.input(0);
  const spec = c.constInts(1);
  const allowZero = c.int('allowzero', 0) === 1;
  const dims = spec.map((d, i) => (d === 0 && !allowZero ? (x.shape[i] ?? 0) : d));
  const rest = size(dims.filter((d) => d !== -1));
  const shape = dims.map((d) => (d === -1 ? size(x.shape) / rest : d));
  if (size(shape) !== size(x.shape) || shape.some((d) => !Number.isInteger(d)))
    c.fail(`cannot reshape [${x.shape.join(', ')}] to [${spec.join(', ')}]`);
  return [result(c, shape, x.dataType, () => tensor(shape, c.constInput(0).values, x.dataType))];
}

function transposeRule(c: OpContext): OnnxValue[] {
  const x = c.input(0);
  const perm = c.ints('perm', [...x.shape.keys()].reverse());
  const shape = perm.map((p) => x.shape[p] ?? 1);
  return [result(c, shape, x.dataType, () => transpose(c.constInput(0), perm))];
}

function concatRule(c: OpContext): OnnxValue[] {
  const first = c.input(0);
  const axis = normAxis(c.int('axis', 0), first.shape.length);
  const parts = [...Array(c.inputCount).keys()].map((i) => c.input(i));
  const mismatch = parts.find(
    (p) => p.shape.length !== first.shape.length || p.shape.some((d, i) => i !== axis && d !== first.shape[i]),
  );
  if (mismatch)
    c.fail(`inputs [${parts.map((p) => p.shape.join(', ')).join('] and [')}] do not concatenate on axis ${axis}`);
  const shape = [...first.shape];
  shape[axis] = parts.reduce((s, p) => s + (p.shape[axis] ?? 0), 0);
  return [
    result(c, shape, first.dataType, () =>
      concat(
        parts.map((_, i) => c.constInput(i)),
        axis,
      ),
    ),
  ];
}

function sliceRule(c: OpContext): OnnxValue[] {
  const x = c.input(0);
  const starts = c.constInts(1);
  const ends = c.constInts(2);
  const axes = c.optional(3) ? c.constInts(3).map((a) => normAxis(a, x.shape.length)) : starts.map((_, i) => i);
  const steps = c.optional(4) ? c.constInts(4) : starts.map(() => 1);
  const ranges = x.shape.map((d) => ({ first: 0, count: d, step: 1 }));
  axes.forEach((axis, i) => {
    const step = steps[i] ?? 1;
    ranges[axis] = { ...sliceRange(x.shape[axis] ?? 0, starts[i] ?? 0, ends[i] ?? 0, step), step };
  });
  const shape = ranges.map((r) => r.count);
  return [
    result(c, shape, x.dataType, () =>
      gatherAxes(c.constInput(0), shape, (axis, k) => (ranges[axis]?.first ?? 0) + k * (ranges[axis]?.step ?? 1)),
    ),
  ];
}

function splitRule(c: OpContext): OnnxValue[] {
  const x = c.input(0);
  const axis = normAxis(c.int('axis', 0), x.shape.length);
  const dim = x.shape[axis] ?? 0;
  const outputs = c.node.outputs.length;
  const chunk = Math.ceil(dim / outputs);
  const parts = c.optional(1)
    ? c.constInts(1)
    : [...Array(outputs).keys()].map((i) => Math.min(chunk, dim - i * chunk));
  if (parts.reduce((a, b) => a + b, 0) !== dim) c.fail(`split sizes [${parts.join(', ')}] do not add up to ${dim}`);
  let offset = 0;
  return parts.map((part) => {
    const first = offset;
    offset += part;
    const shape = x.shape.map((d, i) => (i === axis ? part : d));
    return result(c, shape, x.dataType, () =>
      gatherAxes(c.constInput(0), shape, (a, k) => (a === axis ? first + k : k)),
    );
  });
}

function gatherRule(c: OpContext): OnnxValue[] {
  const x = c.input(0);
  const indices = c.input(1);
  const axis = normAxis(c.int('axis', 0), x.shape.length);
  const shape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
  const evaluate = (): OnnxTensor => {
    const data = c.constInput(0).values;
    const idx = c.constInput(1).values;
    const dim = x.shape[axis] ?? 0;
    const outer = size(x.shape.slice(0, axis));
    const inner = size(x.shape.slice(axis + 1));
    const values: number[] = [];
    for (let o = 0; o < outer; o++)
      for (let p = 0; p < idx.length; p++) {
        const raw = idx[p] ?? 0;
        const row = raw < 0 ? raw + dim : raw;
        for (let i = 0; i < inner; i++) values.push(data[(o * dim + row) * inner + i] ?? 0);
      }
    return tensor(shape, values, x.dataType);
  };
  return [result(c, shape, x.dataType, evaluate)];
}

function unsqueezeRule(c: OpContext): OnnxValue[] {
  const x = c.input(0);
  const rank = x.shape.length + c.constInts(1).length;
  const axes = c.constInts(1).map((a) => normAxis(a, rank));
  const shape: number[] = [];
  let j = 0;
  for (let i = 0; i < rank; i++) shape.push(axes.includes(i) ? 1 : (x.shape[j++] ?? 1));
  return [result(c, shape, x.dataType, () => tensor(shape, c.constInput(0).values, x.dataType))];
}

function squeezeRule(c: OpContext): OnnxValue[] {
  const x = c.input(0);
  const axes = c.optional(1) ? c.constInts(1).map((a) => normAxis(a, x.shape.length)) : undefined;
  const shape = x.shape.filter((d, i) => (axes ? !axes.includes(i) : d !== 1));
  return [result(c, shape, x.dataType, () => tensor(shape, c.constInput(0).values, x.dataType))];
}

function expandRule(c: OpContext): OnnxValue[] {
  const x = c.input(0);
  const shape = broadcastShapes([x.shape, c.constInts(1)], c.where);
  return [
    result(c, shape, x.dataType, () =>
      mapBroadcast([c.constInput(0), tensor(shape, [], x.dataType)], x.dataType, ([v]) => v ?? 0, c.where),
    ),
  ];
}

function shapeRule(c: OpContext): OnnxValue[] {
  const dims = c.input(0).shape;
  const rank = dims.length;
  const start = normAxis(Math.max(-rank, Math.min(rank, c.int('start', 0))), rank);
  const end = normAxis(Math.max(-rank, Math.min(rank, c.int('end', rank))), rank);
  const picked = dims.slice(start, end);
  if (picked.some((d) => d < 0)) c.fail(`the shape [${dims.join(', ')}] has a dimension unknown at import`);
  return [known(tensor([picked.length], picked, int64))];
}

function constantRule(c: OpContext): OnnxValue[] {
  const t = c.tensor('value');
  if (t) return [known(t)];
  const v = c.node.attributes.get('value_float') ?? c.node.attributes.get('value_int');
  if (typeof v === 'number') return [known(tensor([], [v], c.node.attributes.has('value_int') ? int64 : 1))];
  const vs = c.node.attributes.get('value_floats') ?? c.node.attributes.get('value_ints');
  if (Array.isArray(vs)) return [known(tensor([vs.length], vs, c.node.attributes.has('value_ints') ? int64 : 1))];
  return c.fail('a Constant without a numeric value; allowed: value, value_float(s), value_int(s)');
}

function constantOfShapeRule(c: OpContext): OnnxValue[] {
  const shape = c.constInts(0);
  const fill = c.tensor('value') ?? tensor([1], [0], OnnxDataType.float);
  return [known(tensor(shape, new Array<number>(size(shape)).fill(fill.values[0] ?? 0), fill.dataType))];
}

function elementwise(f: (xs: number[]) => number, outType?: number): OpRule {
  return (c) => {
    const inputs = [...Array(c.inputCount).keys()].map((i) => c.input(i));
    const dataType = outType ?? (inputs.length === 3 ? inputs[1] : inputs[0])?.dataType ?? 1;
    const shape = broadcastShapes(
      inputs.map((v) => v.shape),
      c.where,
    );
    return [
      result(c, shape, dataType, () =>
        mapBroadcast(
          inputs.map((_, i) => c.constInput(i)),
          dataType,
          f,
          c.where,
        ),
      ),
    ];
  };
}

const isInteger = (t: number): boolean => t === int64 || t === OnnxDataType.int32;
const divide: OpRule = (c) =>
  elementwise(([a = 0, b = 1]) => (isInteger(c.input(0).dataType) ? Math.trunc(a / b) : a / b))(c);

function castRule(c: OpContext): OnnxValue[] {
  const to = c.int('to', 1);
  const x = c.input(0);
  const convert = (v: number): number =>
    isInteger(to) ? Math.trunc(v) : to === OnnxDataType.bool ? Number(v !== 0) : v;
  return [result(c, x.shape, to, () => tensor(x.shape, Array.from(c.constInput(0).values, convert), to))];
}

export const foldRules: Record<string, OpRule> = {
  Reshape: reshape,
  Transpose: transposeRule,
  Concat: concatRule,
  Slice: sliceRule,
  Split: splitRule,
  Gather: gatherRule,
  Unsqueeze: unsqueezeRule,
  Squeeze: squeezeRule,
  Expand: expandRule,
  Shape: shapeRule,
  Constant: constantRule,
  ConstantOfShape: constantOfShapeRule,
  Add: elementwise(([a = 0, b = 0]) => a + b),
  Sub: elementwise(([a = 0, b = 0]) => a - b),
  Mul: elementwise(([a = 0, b = 0]) => a * b),
  Div: divide,
  Pow: elementwise(([a = 0, b = 0]) => a ** b),
  Equal: elementwise(([a, b]) => Number(a === b), OnnxDataType.bool),
  Where: elementwise(([cond, a = 0, b = 0]) => (cond ? a : b)),
  Cast: castRule,
};
