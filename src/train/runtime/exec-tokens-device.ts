// The token-sequence handlers on the device, where the step's state stays there (ctx.ops; the host
// versions are exec-tokens.ts): attention's batched products, LayerNorm, the row softmax, the TokenOp
// gathers by index maps (token-index.ts, uploaded once per run and kept) and the token layers'
// parameter gradients. One parameter set (ES/AES's K perturbed copies take exec-token-copies-device.ts);
// a copy-invariant input (N rows) meeting N*K rows is repeated on the device.
import type { DeviceOps } from '../../../kernels/device-ops.js';
import type { DeviceTensor, Resident } from '../../../kernels/device-tensor.js';
import type { IrNode, ParamDecl } from '../../ir/types.js';
import { arg, constantOf, deviceParams, paramDecl, shapeOf, type ExecContext } from './exec-context.js';
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

/** A tensor with `elements` values on the device: itself, or its rows repeated (a copy-invariant input). */
async function rowsLike(ctx: ExecContext, ops: DeviceOps, id: string, elements: number): Promise<Resident> {
  const x = arg(ctx, id);
  if (x.length === elements) return x;
  const rows = shapeOf(ctx, id)[0]!;
  return ops.repeatRows(x, rows, elements / x.length);
}

/** scale * x[index[i]] with the index map kept on the device (made once per run under `key`). */
async function gatherBy(
  ctx: ExecContext,
  ops: DeviceOps,
  x: Resident,
  key: string,
  index: () => Int32Array,
  scale = 1,
): Promise<DeviceTensor> {
  return ops.gather(x, await ctx.constants!.array(ops, key, index), scale);
}

async function params(ctx: ExecContext, node: IrNode, id: string): Promise<{ weights: Resident; biases: Resident }> {
  const p = await deviceParams(ctx, id, paramDecl(ctx, node.layer));
  if (!p) throw new Error(`graph executor: ${node.id} runs on the device, its parameters ${id} are on the host`);
  return p;
}

export async function deviceAttentionProduct(ctx: ExecContext, node: NodeOf<'MatMul'>): Promise<void> {
  const { groups, m, k, n } = node;
  const [a, b] = [arg(ctx, node.inputs[0]!), arg(ctx, node.inputs[1]!)];
  const transpose = node.transpose ?? 'none';
  ctx.env.set(node.outputs[0]!, await ctx.device['batch-matmul']({ a, b, groups, m, k, n, transpose }));
}

export async function deviceLayerNorm(ctx: ExecContext, ops: DeviceOps, node: NodeOf<'LayerNorm'>, epsilon: number) {
  const features = node.features;
  if (node.phase === 'backward') {
    const [dyId, xId, p] = node.inputs as [string, string, string];
    const dy = arg(ctx, dyId);
    const x = await rowsLike(ctx, ops, xId, dy.length);
    const gamma = (await params(ctx, node, p)).weights;
    const rows = dy.length / features;
    ctx.env.set(node.outputs[0]!, await ctx.device['layernorm-backward']({ dy, x, gamma, rows, features, epsilon }));
    return;
  }
  const [xId, p] = node.inputs as [string, string];
  const elements = node.elements;
  const x = await rowsLike(ctx, ops, xId, elements);
  const { weights: gamma, biases: beta } = await params(ctx, node, p);
  const rows = elements / features;
  ctx.env.set(node.outputs[0]!, await ctx.device.layernorm({ x, gamma, beta, rows, features, epsilon }));
}

export async function deviceSoftmax(ctx: ExecContext, node: NodeOf<'Softmax'>): Promise<void> {
  const { width, scale } = node;
  const rows = node.elements / width;
  const first = arg(ctx, node.inputs[0]!);
  const out =
    node.phase === 'backward'
      ? ctx.device['softmax-rows-backward']({ dy: first, p: arg(ctx, node.inputs[1]!), rows, width, scale })
      : ctx.device['softmax-rows']({ x: first, rows, width, scale, causal: node.causal });
  ctx.env.set(node.outputs[0]!, await out);
}

/** Rows of a sequence tensor [rows, tokens, ...]. */
const rowsOf = (ctx: ExecContext, id: string): number => shapeOf(ctx, id)[0]!;

async function heads(ctx: ExecContext, ops: DeviceOps, node: NodeOf<'TokenOp'>): Promise<void> {
  const parts = node.op === 'split-heads' ? 3 : 1;
  const d: SequenceDims = {
    rows: node.elements / (parts * node.tokens * node.features),
    tokens: node.tokens,
    features: node.features,
    heads: node.heads ?? 1,
  };
  const key = `${JSON.stringify(d)}`;
  if ((node.op === 'split-heads') === (node.phase !== 'backward')) {
    const x = arg(ctx, node.inputs[0]!);
    const n = node.outputs.length;
    for (let p = 0; p < n; p++)
      ctx.env.set(
        node.outputs[p]!,
        await gatherBy(ctx, ops, x, `split${key}${p}/${n}`, () => splitHeadsIndex(d, p, n)),
      );
    return;
  }
  const x = await ops.concat(node.inputs.map((id) => arg(ctx, id)));
  const n = node.inputs.length;
  ctx.env.set(node.outputs[0]!, await gatherBy(ctx, ops, x, `merge${key}${n}`, () => mergeHeadsIndex(d, n)));
}

async function classToken(ctx: ExecContext, ops: DeviceOps, node: NodeOf<'TokenOp'>): Promise<void> {
  const { tokens, features } = node;
  const out = node.outputs[0]!;
  const back = node.phase === 'backward';
  const rows = rowsOf(ctx, back ? node.inputs[0]! : out);
  const d = { rows, tokens, features };
  const key = `class-token${JSON.stringify(d)}${back}`;
  if (back) {
    ctx.env.set(out, await gatherBy(ctx, ops, arg(ctx, node.inputs[0]!), key, () => classTokenIndex(d, true)));
    return;
  }
  const x = await rowsLike(ctx, ops, node.inputs[0]!, rows * (tokens - 1) * features);
  const joined = await ops.concat([x, (await params(ctx, node, node.inputs[1]!)).weights]);
  ctx.env.set(out, await gatherBy(ctx, ops, joined, key, () => classTokenIndex(d, false)));
}

async function position(ctx: ExecContext, ops: DeviceOps, node: NodeOf<'TokenOp'>): Promise<void> {
  const out = node.outputs[0]!;
  if (node.phase === 'backward') {
    ctx.env.set(out, arg(ctx, node.inputs[0]!));
    return;
  }
  const rows = rowsOf(ctx, out);
  const a = await rowsLike(ctx, ops, node.inputs[0]!, rows * node.tokens * node.features);
  const table = (await params(ctx, node, node.inputs[1]!)).weights;
  ctx.env.set(out, await ctx.device.add({ a, b: await ops.repeatRows(table, 1, rows) }));
}

async function viewOrPool(ctx: ExecContext, ops: DeviceOps, node: NodeOf<'TokenOp'>): Promise<void> {
  const back = node.phase === 'backward';
  const x = arg(ctx, node.inputs[0]!);
  const d = { rows: rowsOf(ctx, node.inputs[0]!), tokens: node.tokens, features: node.features };
  const key = `${node.op}${JSON.stringify(d)}${back}`;
  const out = node.outputs[0]!;
  if (node.op === 'tokens') ctx.env.set(out, await gatherBy(ctx, ops, x, key, () => transposeIndex(d, back)));
  else if (node.op === 'class-pool') ctx.env.set(out, await gatherBy(ctx, ops, x, key, () => classPoolIndex(d, back)));
  else if (back) ctx.env.set(out, await gatherBy(ctx, ops, x, key, () => broadcastTokensIndex(d), 1 / d.tokens));
  else {
    const sums = await ctx.device['copy-sum']({ x, samples: d.rows, copies: d.tokens, width: d.features });
    ctx.env.set(out, await ops.scale(sums, 1 / d.tokens));
  }
}

export async function deviceTokenOp(ctx: ExecContext, ops: DeviceOps, node: NodeOf<'TokenOp'>): Promise<void> {
  switch (node.op) {
    case 'split-heads':
    case 'merge-heads':
      return heads(ctx, ops, node);
    case 'class-token':
      return classToken(ctx, ops, node);
    case 'position':
      return position(ctx, ops, node);
    case 'tokens':
    case 'class-pool':
    case 'mean-pool':
      return viewOrPool(ctx, ops, node);
    default:
      return node.op satisfies never;
  }
}

/** A token layer's parameter gradient on the device: exec-tokens.ts tokenParamProduct's sums over normaliser. */
export async function deviceTokenParamProduct(
  ctx: ExecContext,
  ops: DeviceOps,
  layer: ParamDecl,
  xId: string,
  dy: Resident,
  deltaId: string,
  normaliser: number,
): Promise<DeviceTensor> {
  const [, tokens, features] = shapeOf(ctx, deltaId) as [number, number, number];
  const rows = dy.length / (tokens * features);
  switch (layer.op.kind) {
    case 'layernorm': {
      const x = await rowsLike(ctx, ops, xId, dy.length);
      const unit = { gamma: await constantOf(ctx, features, 1), beta: await constantOf(ctx, features, 0) };
      const args = { x, ...unit, rows: rows * tokens, features, epsilon: layer.op.epsilon };
      const xhat = await ctx.device.layernorm(args);
      return ops.productSums(dy, xhat, { rows: rows * tokens, channels: features, spatial: 1 }, 1 / normaliser);
    }
    case 'class-token': {
      const d = { rows, tokens, features };
      const first = await gatherBy(ctx, ops, dy, `class-pool${JSON.stringify(d)}false`, () => classPoolIndex(d, false));
      const sums = await ctx.device['copy-sum']({ x: first, samples: 1, copies: rows, width: features });
      return ops.scale(sums, 1 / normaliser);
    }
    case 'position-embedding': {
      const sums = await ctx.device['copy-sum']({ x: dy, samples: 1, copies: rows, width: tokens * features });
      return ops.scale(sums, 1 / normaliser);
    }
    default:
      throw new Error(`graph executor: layer ${layer.layer} (${layer.op.kind}) is not a token layer`);
  }
}
