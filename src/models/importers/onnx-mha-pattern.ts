// nn.MultiheadAttention as torch.onnx.export (torch 1.13) writes it, batch_first, on [1, T, D]: Transpose
// [1, 0, 2] to [T, 1, D], the in-projection (MatMul by in_proj_weight^T [D, 3D], or a Transpose of it,
// then Add in_proj_bias), Q, K and V as three Slices of the last axis (or one Split), each Reshaped to
// [T, H, d] and Transposed to [H, T, d] (K to [H, d, T]), Q divided by sqrt(d) (or multiplied by its
// inverse; the scale may follow Q K^T instead), MatMul, Softmax on the last axis, MatMul by V,
// Transpose back to [T, H, d], Reshape to [T, D], the out-projection (Gemm with transB, or MatMul and
// Add), Reshape to [T, 1, D] and Transpose to [1, T, D]. It becomes alrflow's linear(D, 3D), attention
// (Q | K | V head-major, as the Slices and Reshapes lay them out) and linear(D, D), with the file's
// weights. Anything that differs is left to the walk, which refuses it naming the node.
import type { LayerWeights } from './onnx-layer-types.js';
import { type Match, near, out, Patterns, productWeight } from './onnx-pattern-kit.js';
import type { OnnxNode, OnnxTensor } from './onnx-read.js';

interface Piece {
  nodes: OnnxNode[];
  output: string;
}

interface Projection extends Piece {
  weights: LayerWeights;
}

/** The Transposes reading `value` one after another (each the sole reader) and their composed perm. */
function transposes(p: Patterns, value: string): Piece & { perm: string } {
  const nodes: OnnxNode[] = [];
  let perm: number[] | undefined;
  let v = value;
  for (let t = p.only(v, 'Transpose'); t; t = p.only(v, 'Transpose')) {
    const step = p.ints(t, 'perm') ?? [...p.shape(v).keys()].reverse();
    const before = perm;
    perm = before ? step.map((i) => before[i] ?? -1) : step;
    nodes.push(t);
    v = out(t)!;
  }
  return { nodes, output: v, perm: perm?.join() ?? '' };
}

/** [rows, cols] row-major values as [cols, rows]. */
function transposed(t: OnnxTensor, rows: number, cols: number): Float64Array {
  const values = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) values[c * rows + r] = t.values[r * cols + c] ?? 0;
  return values;
}

/** A learned bias vector of `outF` values, if `name` is one. */
function biasOf(p: Patterns, name: string | undefined, outF: number): Float64Array | undefined {
  const bias = p.onnx.values.get(name ?? '');
  return bias?.param && bias.constant?.values.length === outF ? Float64Array.from(bias.constant.values) : undefined;
}

/** A linear map of the last axis from `inF` to `outF` reading `value`: Gemm, or MatMul with an optional bias Add. */
function projection(p: Patterns, value: string, inF: number, outF: number): Projection | undefined {
  const gemm = p.only(value, 'Gemm');
  if (gemm) {
    const b = p.onnx.values.get(gemm.inputs[1] ?? '')?.constant;
    const transB = gemm.attributes.get('transB') ?? 0;
    const unit = ['alpha', 'beta'].every((a) => (gemm.attributes.get(a) ?? 1) === 1);
    if (!b || gemm.inputs[0] !== value || !unit || (gemm.attributes.get('transA') ?? 0) !== 0) return undefined;
    if (b.dims.join() !== (transB === 1 ? [outF, inF] : [inF, outF]).join()) return undefined;
    const weights = transB === 1 ? Float64Array.from(b.values) : transposed(b, inF, outF);
    const biases = gemm.inputs[2] ? biasOf(p, gemm.inputs[2], outF) : new Float64Array(outF);
    return biases && { nodes: [gemm], output: out(gemm)!, weights: { weights, biases } };
  }
  const matmul = p.only(value, 'MatMul');
  const w = productWeight(p.onnx, matmul?.inputs[1] ?? '');
  if (!matmul || matmul.inputs[0] !== value || w?.dims.join() !== [inF, outF].join()) return undefined;
  const add = p.only(out(matmul), 'Add');
  const bias = biasOf(
    p,
    add?.inputs.find((n) => n !== out(matmul)),
    outF,
  );
  const nodes = bias ? [matmul, add!] : [matmul];
  const weights = { weights: transposed(w, inF, outF), biases: bias ?? new Float64Array(outF) };
  return { nodes, output: out(nodes.at(-1))!, weights };
}

/** The [start, end) of the last axis (of width `dim`) a Slice keeps, or undefined for any other slice. */
function sliceRange(p: Patterns, slice: OnnxNode, dim: number, rank: number): [number, number] | undefined {
  const known = (i: number): number[] | undefined => {
    const c = p.onnx.values.get(slice.inputs[i] ?? '')?.constant;
    return c ? Array.from(c.values) : undefined;
  };
  const [starts, ends, axes, steps] = [known(1), known(2), known(3), slice.inputs[4] ? known(4) : [1]];
  const axis = axes?.length === 1 ? axes[0]! : NaN;
  if (starts?.length !== 1 || ends?.length !== 1 || (axis !== -1 && axis !== rank - 1) || steps?.join() !== '1')
    return undefined;
  const clamp = (v: number): number => Math.max(0, Math.min(dim, v < 0 ? v + dim : v));
  return [clamp(starts[0]!), clamp(ends[0]!)];
}

/** Q, K and V: three Slices of the last axis into thirds (in any node order), or one Split into three. */
function qkvParts(p: Patterns, value: string, width: number): { nodes: OnnxNode[]; parts: string[] } | undefined {
  const rank = p.shape(value).length;
  const split = p.only(value, 'Split');
  if (split) {
    const even = split.outputs.length === 3 && split.outputs.every((o) => p.shape(o).at(-1) === width);
    const axis = split.attributes.get('axis') ?? 0;
    return even && (axis === -1 || axis === rank - 1) ? { nodes: [split], parts: split.outputs } : undefined;
  }
  const slices = p.readersOf(value, 'Slice', 'Slice', 'Slice');
  const ranges = slices?.map((s) => ({ s, range: sliceRange(p, s, 3 * width, rank) }));
  if (!ranges || ranges.some((r) => !r.range)) return undefined;
  ranges.sort((a, b) => a.range![0] - b.range![0]);
  const thirds = ranges.every((r, i) => r.range!.join() === [i * width, (i + 1) * width].join());
  return thirds ? { nodes: ranges.map((r) => r.s), parts: ranges.map((r) => out(r.s)!) } : undefined;
}

/** One of Q, K, V: Reshape [T, 1, D] to [T, H, d], then Transposes composing to `perm`. */
function headsOf(p: Patterns, part: string, tokens: number, heads: number, perm: string): Piece | undefined {
  const reshape = p.only(part, 'Reshape');
  const s = p.shape(out(reshape));
  if (!reshape || s.length !== 3 || s[0] !== tokens || s[1] !== heads) return undefined;
  const chain = transposes(p, out(reshape)!);
  return chain.perm === perm ? { nodes: [reshape, ...chain.nodes], output: chain.output } : undefined;
}

/** A Div by sqrt(d) or a Mul by 1 / sqrt(d) reading `value`. */
function scaleOf(p: Patterns, value: string, headWidth: number): OnnxNode | undefined {
  const node = p.only(value, 'Div') ?? p.only(value, 'Mul');
  const factor = p.scalar(node, value);
  if (!node || factor === undefined || node.inputs[0] !== value) return undefined;
  return near(node.opType === 'Div' ? factor : 1 / factor, Math.sqrt(headWidth)) ? node : undefined;
}

type Heads = { q: Piece; k: Piece; v: Piece; heads: number; headWidth: number };

/** Scale, Q K^T, Softmax, times V, back to [T, H, d] and merged to [T, D] (or [T, 1, D]). */
function attentionCore(p: Patterns, h: Heads, tokens: number, width: number): Piece | undefined {
  const qScale = scaleOf(p, h.q.output, h.headWidth);
  const scores = p.only(qScale ? out(qScale) : h.q.output, 'MatMul');
  if (!scores || scores.inputs[1] !== h.k.output || p.shape(out(scores)).join() !== [h.heads, tokens, tokens].join())
    return undefined;
  const sScale = qScale ? undefined : scaleOf(p, out(scores)!, h.headWidth);
  const softmax = p.only(out(sScale ?? scores), 'Softmax');
  const axis = softmax?.attributes.get('axis') ?? -1;
  const context = p.only(out(softmax), 'MatMul');
  if ((!qScale && !sScale) || !softmax || (axis !== -1 && axis !== 2) || context?.inputs[1] !== h.v.output)
    return undefined;
  const back = transposes(p, out(context)!);
  const merge = p.only(back.output, 'Reshape');
  const merged = p.shape(out(merge)).join();
  if (back.perm !== '1,0,2' || !merge || (merged !== [tokens, width].join() && merged !== [tokens, 1, width].join()))
    return undefined;
  const nodes = [...(qScale ? [qScale] : []), scores, ...(sScale ? [sScale] : []), softmax, context!, ...back.nodes];
  return { nodes: [...nodes, merge], output: out(merge)! };
}

/** The whole module from its first Transpose [1, 0, 2] of [1, T, D]. */
export function multiheadAttentionOf(p: Patterns, first: OnnxNode): Match | undefined {
  const x = first.inputs[0] ?? '';
  const [batch, tokens = 0, width = 0] = p.shape(x);
  if (p.shape(x).length !== 3 || batch !== 1 || p.ints(first, 'perm')?.join() !== '1,0,2') return undefined;
  const inProj = projection(p, out(first)!, width, 3 * width);
  const qkv = inProj && qkvParts(p, inProj.output, width);
  const heads = p.shape(out(p.only(qkv?.parts[0], 'Reshape')))[1] ?? 0;
  const headWidth = width / heads;
  if (!qkv || !Number.isInteger(headWidth)) return undefined;
  const [q, k, v] = [
    headsOf(p, qkv.parts[0]!, tokens, heads, '1,0,2'),
    headsOf(p, qkv.parts[1]!, tokens, heads, '1,2,0'),
    headsOf(p, qkv.parts[2]!, tokens, heads, '1,0,2'),
  ];
  const core = q && k && v && attentionCore(p, { q, k, v, heads, headWidth }, tokens, width);
  const outProj = core && projection(p, core.output, width, width);
  if (!outProj) return undefined;
  const unflat = p.shape(outProj.output).length === 2 ? p.only(outProj.output, 'Reshape') : undefined;
  const last = transposes(p, unflat ? out(unflat)! : outProj.output);
  if (last.perm !== '1,0,2' || p.shape(last.output).join() !== [1, tokens, width].join()) return undefined;
  const [inName, outName] = [inProj.nodes[0]!.name, outProj.nodes[0]!.name];
  const nodes = [first, ...inProj.nodes, ...qkv.nodes, ...q.nodes, ...k.nodes, ...v.nodes, ...core.nodes];
  return {
    nodes: [...nodes, ...outProj.nodes, ...(unflat ? [unflat] : []), ...last.nodes],
    input: x,
    output: last.output,
    layers: [
      { kind: 'linear', name: inName, inFeatures: width, outFeatures: 3 * width },
      { kind: 'attention', name: core.nodes.find((n) => n.opType === 'Softmax')!.name, heads, causal: false },
      { kind: 'linear', name: outName, inFeatures: width, outFeatures: width },
    ],
    weights: new Map([
      [inName, inProj.weights],
      [outName, outProj.weights],
    ]),
  };
}
