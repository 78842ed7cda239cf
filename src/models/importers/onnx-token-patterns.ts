// Subgraphs of a PyTorch transformer export that are one alrflow token layer each, found before the
// walk and replaced by one fused node: LayerNorm's opset-13 decomposition (ReduceMean, Sub, Pow,
// ReduceMean, Add eps, Sqrt, Div, Mul gamma, Add beta), GELU's Erf decomposition (Div sqrt 2, Erf,
// Add 1, Mul x, Mul 0.5), a feature map as tokens (Reshape [1, C, H*W] or Flatten, Transpose [0, 2, 1])
// and multi-head attention on a fused Q|K|V projection (Split in three, per part Reshape to heads and
// Transpose, MatMul Q K^T, Div by sqrt(head width) or Mul by its inverse, Softmax on the last axis,
// MatMul by V, Transpose back, Reshape to [1, T, width]); nn.MultiheadAttention's own layout is
// onnx-mha-pattern.ts. A subgraph that differs anywhere is left alone, and its nodes are refused by
// the walk naming the first.
import type { ImportedOnnx } from './onnx-graph.js';
import type { ConvertedNode } from './onnx-layer-types.js';
import { multiheadAttentionOf } from './onnx-mha-pattern.js';
import { type Match, near, out, Patterns } from './onnx-pattern-kit.js';
import type { OnnxNode } from './onnx-read.js';

export interface FusedGraph {
  /** The compute nodes with every matched subgraph replaced by one fused node. */
  compute: OnnxNode[];
  /** What each fused node becomes. */
  fused: Map<OnnxNode, ConvertedNode>;
}

/** ReduceMean -> Sub -> (Pow 2 -> ReduceMean -> Add eps -> Sqrt) -> Div -> Mul gamma -> Add beta. */
function layerNormDecomposition(p: Patterns, mean: OnnxNode): Match | undefined {
  const x = mean.inputs[0] ?? '';
  const sub = p.only(out(mean), 'Sub');
  if (!sub || sub.inputs[0] !== x || sub.inputs[1] !== out(mean)) return undefined;
  const [pow, div] = p.readersOf(out(sub), 'Pow', 'Div') ?? [];
  const mean2 = p.only(out(pow), 'ReduceMean');
  const add = p.only(out(mean2), 'Add');
  const sqrt = p.only(out(add), 'Sqrt');
  if (!pow || !div || !near(p.scalar(pow, out(sub)!), 2) || !sqrt || p.only(out(sqrt), 'Div') !== div) return undefined;
  const mul = p.only(out(div), 'Mul');
  const bias = p.only(out(mul), 'Add');
  const features = p.shape(x).at(-1) ?? 0;
  const gamma = p.onnx.values.get(mul?.inputs.find((n) => n !== out(div)) ?? '');
  const beta = p.onnx.values.get(bias?.inputs.find((n) => n !== out(mul)) ?? '');
  const eps = p.scalar(add, out(mean2)!);
  const meanShape = p.shape(out(mean));
  if (!mul || !bias || !gamma?.param || !beta?.param || eps === undefined || !(eps > 0 && eps <= 1)) return undefined;
  if (meanShape.at(-1) !== 1 || meanShape.length !== p.shape(x).length) return undefined;
  if (gamma.constant!.values.length !== features || beta.constant!.values.length !== features) return undefined;
  const name = mean.name;
  return {
    nodes: [mean, sub, pow, mean2!, add!, sqrt, div, mul, bias],
    input: x,
    output: out(bias)!,
    layers: [{ kind: 'layernorm', name, features, epsilon: eps }],
    weights: new Map([
      [name, { weights: Float64Array.from(gamma.constant!.values), biases: Float64Array.from(beta.constant!.values) }],
    ]),
  };
}

/** Div by sqrt 2 -> Erf -> Add 1 -> Mul by x -> Mul 0.5: x * 0.5 * (1 + erf(x / sqrt 2)). */
function geluDecomposition(p: Patterns, div: OnnxNode): Match | undefined {
  const x = div.inputs[0] ?? '';
  if (!near(p.scalar(div, x), Math.SQRT2)) return undefined;
  const erf = p.only(out(div), 'Erf');
  const add = p.only(out(erf), 'Add');
  const mul = p.only(out(add), 'Mul');
  const half = p.only(out(mul), 'Mul');
  if (!erf || !near(p.scalar(add, out(erf)!), 1) || !mul?.inputs.includes(x) || !near(p.scalar(half, out(mul)!), 0.5))
    return undefined;
  return {
    nodes: [div, erf, add!, mul, half!],
    input: x,
    output: out(half)!,
    layers: [{ kind: 'gelu', name: div.name }],
  };
}

/** [1, C, H, W] -> Reshape [1, C, H*W] (or Flatten axis 2) -> Transpose [0, 2, 1]: the tokens layer. */
function tokensOf(p: Patterns, reshape: OnnxNode): Match | undefined {
  const [batch, c, h, w] = p.shape(reshape.inputs[0]);
  const flat = p.shape(out(reshape));
  if (batch !== 1 || c === undefined || h === undefined || w === undefined) return undefined;
  if (flat.length !== 3 || flat[1] !== c || flat[2] !== h * w) return undefined;
  const transpose = p.only(out(reshape), 'Transpose');
  if (!transpose || p.ints(transpose, 'perm')?.join() !== '0,2,1') return undefined;
  return {
    nodes: [reshape, transpose],
    input: reshape.inputs[0]!,
    output: out(transpose)!,
    layers: [{ kind: 'tokens', name: reshape.name }],
  };
}

/** One of Q, K, V: Reshape [1, T, H, d] then Transpose by `perm`; its output, or undefined. */
function headsOf(p: Patterns, part: string, perm: string, heads: number): OnnxNode[] | undefined {
  const reshape = p.only(part, 'Reshape');
  const transpose = p.only(out(reshape), 'Transpose');
  const s = p.shape(out(reshape));
  if (!reshape || !transpose || p.ints(transpose, 'perm')?.join() !== perm || s.length !== 4 || s[2] !== heads)
    return undefined;
  return [reshape, transpose];
}

/** Split Q|K|V -> heads -> MatMul -> scale -> Softmax -> MatMul V -> Transpose -> Reshape [1, T, width]. */
function attentionOf(p: Patterns, split: OnnxNode): Match | undefined {
  const qkv = p.shape(split.inputs[0]);
  const [batch, tokens, features] = qkv;
  if (qkv.length !== 3 || batch !== 1 || split.outputs.length !== 3 || features === undefined) return undefined;
  if (split.outputs.some((o) => p.shape(o).join() !== [1, tokens, features / 3].join())) return undefined;
  const heads = p.shape(out(p.only(split.outputs[0], 'Reshape')))[2] ?? 0;
  const [q, k, v] = [
    headsOf(p, split.outputs[0]!, '0,2,1,3', heads),
    headsOf(p, split.outputs[1]!, '0,2,3,1', heads),
    headsOf(p, split.outputs[2]!, '0,2,1,3', heads),
  ];
  if (!q || !k || !v) return undefined;
  const scores = p.only(out(q[1]), 'MatMul');
  if (!scores || scores.inputs[0] !== out(q[1]) || scores.inputs[1] !== out(k[1])) return undefined;
  const scale = p.only(out(scores), 'Div') ?? p.only(out(scores), 'Mul');
  const headWidth = features / 3 / heads;
  const factor = p.scalar(scale, out(scores)!);
  if (!scale || !near(scale.opType === 'Div' ? factor : 1 / (factor ?? 0), Math.sqrt(headWidth))) return undefined;
  const softmax = p.only(out(scale), 'Softmax');
  const context = p.only(out(softmax), 'MatMul');
  if (!softmax || ![-1, 3].includes(softmaxAxis(softmax)) || context?.inputs[1] !== out(v[1])) return undefined;
  const back = p.only(out(context), 'Transpose');
  const merge = p.only(out(back), 'Reshape');
  if (!back || p.ints(back, 'perm')?.join() !== '0,2,1,3' || !merge) return undefined;
  if (p.shape(out(merge)).join() !== [1, tokens, features / 3].join()) return undefined;
  return {
    nodes: [split, ...q, ...k, ...v, scores, scale, softmax!, context!, back, merge],
    input: split.inputs[0]!,
    output: out(merge)!,
    layers: [{ kind: 'attention', name: split.name, heads, causal: false }],
  };
}

function softmaxAxis(node: OnnxNode): number {
  const axis = node.attributes.get('axis');
  return typeof axis === 'number' ? axis : -1;
}

const matchers: Record<string, (p: Patterns, node: OnnxNode) => Match | undefined> = {
  ReduceMean: layerNormDecomposition,
  Div: geluDecomposition,
  Reshape: tokensOf,
  Split: attentionOf,
  Transpose: multiheadAttentionOf,
};

/** The compute nodes with every recognised subgraph fused (each at its first node's place). */
export function fuseTokenPatterns(onnx: ImportedOnnx): FusedGraph {
  const p = new Patterns(onnx);
  const replaced = new Map<OnnxNode, OnnxNode | null>();
  const fused = new Map<OnnxNode, ConvertedNode>();
  for (const node of onnx.compute) {
    if (replaced.has(node)) continue;
    const match = matchers[node.opType]?.(p, node);
    if (!match || match.nodes.some((n) => replaced.has(n))) continue;
    const one: OnnxNode = {
      name: node.name,
      opType: `fused ${match.layers[0]!.kind}`,
      domain: '',
      inputs: [match.input],
      outputs: [match.output],
      attributes: new Map(),
    };
    for (const n of match.nodes) replaced.set(n, null);
    replaced.set(node, one);
    fused.set(one, { layers: match.layers, weights: match.weights ?? new Map(), output: match.output });
  }
  const compute = onnx.compute.flatMap((n) => {
    const r = replaced.get(n);
    return r === undefined ? [n] : r === null ? [] : [r];
  });
  return { compute, fused };
}
