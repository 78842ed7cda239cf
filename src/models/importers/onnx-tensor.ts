// Small n-dimensional helpers for folding an ONNX file's shape subgraphs at import: broadcasting,
// strided gathers and the constant evaluation of the index-moving ops (Gather, Slice, Concat,
// Transpose, Expand, Where). Tensors here are tiny (shapes, indices, masks), so plain loops suffice.
import { ConfigError } from '../../errors.js';
import type { OnnxTensor } from './onnx-read.js';

export const size = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

export function strides(dims: readonly number[]): number[] {
  const out = new Array<number>(dims.length).fill(1);
  for (let i = dims.length - 2; i >= 0; i--) out[i] = (out[i + 1] ?? 1) * (dims[i + 1] ?? 1);
  return out;
}

/** Numpy broadcasting of shapes; throws naming `where` when they do not broadcast. */
export function broadcastShapes(shapes: readonly (readonly number[])[], where: string): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const dims = shapes.map((s) => s[s.length - rank + i] ?? 1);
    const big = Math.max(...dims);
    if (dims.some((d) => d !== 1 && d !== big))
      throw new ConfigError([
        `${where}: shapes ${shapes.map((s) => `[${s.join(', ')}]`).join(' and ')} do not broadcast`,
      ]);
    out.push(big);
  }
  return out;
}

/** Element index of `t` read at a position of a broadcast output of shape `outDims`. */
function broadcastIndex(t: readonly number[], outDims: readonly number[], flat: number): number {
  const ts = strides(t);
  let index = 0;
  let rest = flat;
  for (let i = outDims.length - 1; i >= 0; i--) {
    const d = outDims[i] ?? 1;
    const coord = rest % d;
    rest = Math.floor(rest / d);
    const ti = i - (outDims.length - t.length);
    if (ti >= 0 && (t[ti] ?? 1) !== 1) index += coord * (ts[ti] ?? 0);
  }
  return index;
}

export function tensor(dims: number[], values: ArrayLike<number>, dataType: number): OnnxTensor {
  return { dims, values, dataType };
}

/** Elementwise evaluation over broadcast inputs. */
export function mapBroadcast(
  inputs: readonly OnnxTensor[],
  dataType: number,
  f: (xs: number[]) => number,
  where: string,
): OnnxTensor {
  const dims = broadcastShapes(
    inputs.map((t) => t.dims),
    where,
  );
  const values = new Array<number>(size(dims));
  for (let k = 0; k < values.length; k++)
    values[k] = f(inputs.map((t) => t.values[broadcastIndex(t.dims, dims, k)] ?? 0));
  return tensor(dims, values, dataType);
}

/** Picks, for each output position, an element of `t` by per-axis source coordinates. */
export function gatherAxes(
  t: OnnxTensor,
  outDims: number[],
  source: (axis: number, coord: number) => number,
): OnnxTensor {
  const ts = strides(t.dims);
  const values = new Array<number>(size(outDims));
  for (let k = 0; k < values.length; k++) {
    let rest = k;
    let index = 0;
    for (let i = outDims.length - 1; i >= 0; i--) {
      const d = outDims[i] ?? 1;
      index += source(i, rest % d) * (ts[i] ?? 0);
      rest = Math.floor(rest / d);
    }
    values[k] = t.values[index] ?? 0;
  }
  return tensor(outDims, values, t.dataType);
}

export const normAxis = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis);

export function transpose(t: OnnxTensor, perm: readonly number[]): OnnxTensor {
  const outDims = perm.map((p) => t.dims[p] ?? 1);
  const ts = strides(t.dims);
  const values = new Array<number>(size(outDims));
  for (let k = 0; k < values.length; k++) {
    let rest = k;
    let index = 0;
    for (let i = outDims.length - 1; i >= 0; i--) {
      const d = outDims[i] ?? 1;
      index += (rest % d) * (ts[perm[i] ?? i] ?? 0);
      rest = Math.floor(rest / d);
    }
    values[k] = t.values[index] ?? 0;
  }
  return tensor(outDims, values, t.dataType);
}

export function concat(parts: readonly OnnxTensor[], axis: number): OnnxTensor {
  const first = parts[0];
  if (!first) throw new Error('concat of nothing');
  const outDims = [...first.dims];
  outDims[axis] = parts.reduce((s, p) => s + (p.dims[axis] ?? 0), 0);
  const outer = size(first.dims.slice(0, axis));
  const values: number[] = [];
  for (let o = 0; o < outer; o++)
    for (const p of parts) {
      const block = size(p.dims.slice(axis));
      for (let j = 0; j < block; j++) values.push(p.values[o * block + j] ?? 0);
    }
  return tensor(outDims, values, first.dataType);
}

/** Python-style slice bounds of ONNX Slice on one axis of length `dim`. */
export function sliceRange(dim: number, start: number, end: number, step: number): { first: number; count: number } {
  const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);
  const s = start < 0 ? start + dim : start;
  const e = end < 0 ? end + dim : end;
  if (step > 0) {
    const a = clamp(s, 0, dim);
    const b = clamp(e, 0, dim);
    return { first: a, count: Math.max(0, Math.ceil((b - a) / step)) };
  }
  const a = clamp(s, -1, dim - 1);
  const b = clamp(e, -1, dim - 1);
  return { first: a, count: Math.max(0, Math.ceil((b - a) / step)) };
}
