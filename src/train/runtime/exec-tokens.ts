// Graph-executor handlers of the token-sequence nodes (transformer layers): attention's batched
// products, LayerNorm forward and BP backward, the scaled (causal) row softmax and its backward, and
// the TokenOp rearrangements as gathers by index map (token-index.ts); and the parameter gradients of
// the token layers (LayerNorm's scale and shift, the class token, the position table) from their
// error signal: dL/dz under BP, the LR/ALR error signal otherwise. Host arrays in and out; the
// kernels run on ctx.kernels, or on the device where the step's state stays there
// (exec-tokens-device.ts). A copy-invariant input (N rows) meeting N*K rows is repeated; under ES
// the LayerNorm, class-token and position forwards run once per perturbed parameter set.
import { isDeviceTensor, type Resident } from '../../../kernels/device-tensor.js';
import type { NumArray } from '../../../kernels/names.js';
import { elementCount } from '../../ir/graph.js';
import type { IrNode, ParamDecl } from '../../ir/types.js';
import { downloadInputs, hostNum, num, paramDecl, shapeOf, toF64, type ExecContext } from './exec-context.js';
import {
  deviceAttentionProduct,
  deviceLayerNorm,
  deviceSoftmax,
  deviceTokenOp,
  deviceTokenParamProduct,
} from './exec-tokens-device.js';
import { repeatRows } from './host-ops.js';
import { groupParams, groupSlice, perGroup, type GroupParams } from './param-groups.js';
import {
  broadcastTokensIndex,
  classPoolIndex,
  classTokenIndex,
  mergeHeadsIndex,
  splitHeadsIndex,
  transposeIndex,
  type SequenceDims,
} from './token-index.js';

type NodeOf<K extends IrNode['kind']> = Extract<IrNode, { kind: K }>;

/** A tensor's values with `elements` values: itself, or its rows repeated (a copy-invariant input). */
async function rowsLike(ctx: ExecContext, id: string, elements: number): Promise<NumArray> {
  const x = await hostNum(ctx, id);
  if (x.length === elements) return x;
  const rows = shapeOf(ctx, id)[0]!;
  return repeatRows(toF64(x), rows, elements / x.length);
}

/** Attention's products: per group (row and head) op(A) op(B), the node naming the transposed operand. */
export async function attentionProduct(ctx: ExecContext, node: NodeOf<'MatMul'>): Promise<void> {
  if (ctx.ops) return deviceAttentionProduct(ctx, node);
  const [a, b] = [await hostNum(ctx, node.inputs[0]!), await hostNum(ctx, node.inputs[1]!)];
  const { groups, m, k, n } = node;
  const transpose = node.transpose ?? 'none';
  ctx.env.set(node.outputs[0]!, await ctx.kernels['batch-matmul']({ a, b, groups, m, k, n, transpose }));
}

/** The layer's one parameter set (weights, then biases): BP's backward reads the unperturbed parameters. */
function singleParams(ctx: ExecContext, id: string, layer: ParamDecl): NumArray {
  const p = num(ctx, id);
  if (p.length !== layer.weights + layer.biases)
    throw new Error(
      `graph executor: layer ${layer.layer} (${layer.op.kind}) runs one parameter set; got ${p.length} values`,
    );
  return p;
}

/** LayerNorm's epsilon, from its layer's declaration. */
function epsilonOf(layer: ParamDecl): number {
  if (layer.op.kind !== 'layernorm') throw new Error(`graph executor: layer ${layer.layer} is not a LayerNorm`);
  return layer.op.epsilon;
}

/**
 * A parametrised token layer's forward on the node's inputs [x, parameters], once per parameter set
 * (ES's K perturbed copies, copy-major rows; param-groups.ts) or once: `inElements` is the input's
 * size at the output's rows, `run` maps one group's input rows and parameters to its output.
 */
async function perParamSet(
  ctx: ExecContext,
  node: NodeOf<'LayerNorm' | 'TokenOp'>,
  sizes: { inElements: number; outElements: number },
  run: (x: NumArray, p: GroupParams) => Promise<NumArray>,
): Promise<NumArray> {
  const [xId, pId] = node.inputs as [string, string];
  const sets = groupParams(ctx, pId, paramDecl(ctx, node.layer));
  if (sets.length === 1) return run(await rowsLike(ctx, xId, sizes.inElements), sets[0]!);
  const x = await hostNum(ctx, xId);
  const per = sizes.inElements / sets.length;
  return perGroup(sets.length, sizes.outElements, (g) => run(groupSlice(x, per, g), sets[g]!));
}

export async function layerNorm(ctx: ExecContext, node: NodeOf<'LayerNorm'>): Promise<void> {
  const layer = paramDecl(ctx, node.layer);
  const features = node.features;
  const epsilon = epsilonOf(layer);
  if (ctx.ops) return deviceLayerNorm(ctx, ctx.ops, node, epsilon);
  await downloadInputs(ctx, node.inputs);
  if (node.phase === 'backward') {
    const [dyId, xId, p] = node.inputs as [string, string, string];
    const dy = num(ctx, dyId);
    const x = await rowsLike(ctx, xId, dy.length);
    const gamma = singleParams(ctx, p, layer).subarray(0, features);
    const rows = dy.length / features;
    ctx.env.set(node.outputs[0]!, await ctx.kernels['layernorm-backward']({ dy, x, gamma, rows, features, epsilon }));
    return;
  }
  const elements = elementCount(shapeOf(ctx, node.outputs[0]!));
  const out = await perParamSet(ctx, node, { inElements: elements, outElements: elements }, (x, set) =>
    ctx.kernels.layernorm({
      x,
      gamma: set.weights,
      beta: set.biases,
      rows: x.length / features,
      features,
      epsilon,
    }),
  );
  ctx.env.set(node.outputs[0]!, out);
}

export async function softmax(ctx: ExecContext, node: NodeOf<'Softmax'>): Promise<void> {
  if (ctx.ops) return deviceSoftmax(ctx, node);
  await downloadInputs(ctx, node.inputs);
  const { width, scale } = node;
  const rows = node.elements / width;
  if (node.phase === 'backward') {
    const [dy, p] = [num(ctx, node.inputs[0]!), num(ctx, node.inputs[1]!)];
    ctx.env.set(node.outputs[0]!, await ctx.kernels['softmax-rows-backward']({ dy, p, rows, width, scale }));
    return;
  }
  const x = num(ctx, node.inputs[0]!);
  ctx.env.set(node.outputs[0]!, await ctx.kernels['softmax-rows']({ x, rows, width, scale, causal: node.causal }));
}

function concat(parts: NumArray[]): Float64Array {
  const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

const gatherOf = (ctx: ExecContext, x: NumArray, index: Int32Array, scale = 1): Promise<NumArray> =>
  ctx.kernels.gather({ x, index, scale });

/** Rows of a sequence tensor [rows, tokens, ...]. */
const rowsOf = (ctx: ExecContext, id: string): number => shapeOf(ctx, id)[0]!;

/** Attention's head split and merge, forward and backward: one gather per head tensor. */
async function heads(ctx: ExecContext, node: NodeOf<'TokenOp'>): Promise<void> {
  const parts = node.op === 'split-heads' ? 3 : 1;
  const d: SequenceDims = {
    rows: node.elements / (parts * node.tokens * node.features),
    tokens: node.tokens,
    features: node.features,
    heads: node.heads ?? 1,
  };
  const splitting = (node.op === 'split-heads') === (node.phase !== 'backward');
  if (splitting) {
    const x = num(ctx, node.inputs[0]!);
    for (let p = 0; p < node.outputs.length; p++)
      ctx.env.set(node.outputs[p]!, await gatherOf(ctx, x, splitHeadsIndex(d, p, node.outputs.length)));
    return;
  }
  const x = concat(node.inputs.map((id) => num(ctx, id)));
  ctx.env.set(node.outputs[0]!, await gatherOf(ctx, x, mergeHeadsIndex(d, node.inputs.length)));
}

/** The class token, forward (prepended to each row) and backward (dy without token 0). */
async function classToken(ctx: ExecContext, node: NodeOf<'TokenOp'>): Promise<void> {
  const { tokens, features } = node;
  const out = node.outputs[0]!;
  if (node.phase === 'backward') {
    const d = { rows: rowsOf(ctx, node.inputs[0]!), tokens, features };
    ctx.env.set(out, await gatherOf(ctx, num(ctx, node.inputs[0]!), classTokenIndex(d, true)));
    return;
  }
  const rows = rowsOf(ctx, out);
  const sizes = { inElements: rows * (tokens - 1) * features, outElements: rows * tokens * features };
  const value = await perParamSet(ctx, node, sizes, (x, set) => {
    const d = { rows: x.length / ((tokens - 1) * features), tokens, features };
    return gatherOf(ctx, concat([x, set.weights]), classTokenIndex(d, false));
  });
  ctx.env.set(out, value);
}

/** x plus the position table on every row; BP passes dy through unchanged. */
async function position(ctx: ExecContext, node: NodeOf<'TokenOp'>): Promise<void> {
  const out = node.outputs[0]!;
  if (node.phase === 'backward') {
    ctx.env.set(out, num(ctx, node.inputs[0]!));
    return;
  }
  const width = node.tokens * node.features;
  const elements = rowsOf(ctx, out) * width;
  const sizes = { inElements: elements, outElements: elements };
  const value = await perParamSet(ctx, node, sizes, (a, set) =>
    ctx.kernels.add({ a, b: repeatRows(toF64(set.weights), 1, a.length / width) }),
  );
  ctx.env.set(out, value);
}

/** The patch view ([channels, positions] to [tokens, features]), class and mean pooling. */
async function viewOrPool(ctx: ExecContext, node: NodeOf<'TokenOp'>): Promise<void> {
  const back = node.phase === 'backward';
  const x = num(ctx, node.inputs[0]!);
  const d = { rows: rowsOf(ctx, node.inputs[0]!), tokens: node.tokens, features: node.features };
  const out = node.outputs[0]!;
  if (node.op === 'tokens') ctx.env.set(out, await gatherOf(ctx, x, transposeIndex(d, back)));
  else if (node.op === 'class-pool') ctx.env.set(out, await gatherOf(ctx, x, classPoolIndex(d, back)));
  else if (back) ctx.env.set(out, await gatherOf(ctx, x, broadcastTokensIndex(d), 1 / d.tokens));
  else {
    const sums = await ctx.kernels['copy-sum']({ x, samples: d.rows, copies: d.tokens, width: d.features });
    ctx.env.set(
      out,
      await gatherOf(
        ctx,
        sums,
        Int32Array.from(sums, (_, i) => i),
        1 / d.tokens,
      ),
    );
  }
}

export async function tokenOp(ctx: ExecContext, node: NodeOf<'TokenOp'>): Promise<void> {
  if (ctx.ops) return deviceTokenOp(ctx, ctx.ops, node);
  await downloadInputs(ctx, node.inputs);
  switch (node.op) {
    case 'split-heads':
    case 'merge-heads':
      return heads(ctx, node);
    case 'class-token':
      return classToken(ctx, node);
    case 'position':
      return position(ctx, node);
    case 'tokens':
    case 'class-pool':
    case 'mean-pool':
      return viewOrPool(ctx, node);
    default:
      return node.op satisfies never;
  }
}

async function hostValues(r: Resident): Promise<NumArray> {
  return isDeviceTensor(r) ? r.download() : r;
}

/**
 * A token layer's parameter gradient from its error signal `delta` (shaped as the tensor `deltaId`,
 * [rows, tokens, features]), divided by `normaliser`: LayerNorm's sums of delta xhat and delta per
 * feature, the class token's sum of token 0's, the position table's sum over rows.
 */
export async function tokenParamProduct(
  ctx: ExecContext,
  layer: ParamDecl,
  xId: string,
  delta: Resident,
  deltaId: string,
  normaliser: number,
): Promise<Resident> {
  if (ctx.ops) return deviceTokenParamProduct(ctx, ctx.ops, layer, xId, delta, deltaId, normaliser);
  const dy = await hostValues(delta);
  const [, tokens, features] = shapeOf(ctx, deltaId) as [number, number, number];
  const rows = dy.length / (tokens * features);
  const scaled = (g: NumArray): Float64Array => toF64(g).map((v) => v / normaliser);
  switch (layer.op.kind) {
    case 'layernorm': {
      const x = await rowsLike(ctx, xId, dy.length);
      const epsilon = layer.op.epsilon;
      const g = await ctx.kernels['layernorm-grad']({ dy, x, rows: rows * tokens, features, epsilon });
      return scaled(concat([g.weights, g.biases]));
    }
    case 'class-token': {
      const first = await gatherOf(ctx, dy, classPoolIndex({ rows, tokens, features }, false));
      return scaled(await ctx.kernels['copy-sum']({ x: first, samples: 1, copies: rows, width: features }));
    }
    case 'position-embedding':
      return scaled(await ctx.kernels['copy-sum']({ x: dy, samples: 1, copies: rows, width: tokens * features }));
    default:
      throw new Error(`graph executor: layer ${layer.layer} (${layer.op.kind}) is not a token layer`);
  }
}
