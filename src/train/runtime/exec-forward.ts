// Graph-executor handlers of the layer nodes, forward and BP backward: MatMul, Conv2d, BiasAct,
// BatchNorm, Pool, Add. Forward nodes read one parameter buffer or, under ES, K perturbed copies
// split copy-major over the rows (param-groups.ts); a copy-invariant input is shared by every copy.
// Backward nodes are told by their phase. MatMul and BiasAct run on ctx.device with one parameter
// set: their input and result may stay on the device (a handle); ES's K sets slice rows on the host.
import type { NumArray } from '../../../kernels/names.js';
import { batchnormStatistics } from '../../../kernels/reference/batchnorm.js';
import { batchNormStats } from '../../ir/graph.js';
import type { IrNode, ParamDecl } from '../../ir/types.js';
import { elementCount } from '../../ir/graph.js';
import { repeatRows } from './host-ops.js';
import { attentionProduct } from './exec-tokens.js';
import { groupParams, groupSlice, perGroup } from './param-groups.js';
import type { Resident } from '../../../kernels/device-tensor.js';
import type { DeviceOps } from '../../../kernels/device-ops.js';
import {
  arg,
  batchStats,
  channelsSpatial,
  featureLayout,
  constantOf,
  deviceParams,
  downloadInputs,
  hostNum,
  num,
  packStats,
  paramDecl,
  shapeOf,
  toF64,
  type BnStats,
  type ExecContext,
} from './exec-context.js';

type NodeOf<K extends IrNode['kind']> = Extract<IrNode, { kind: K }>;

export async function matMul(ctx: ExecContext, node: NodeOf<'MatMul'>): Promise<void> {
  if (node.layer === undefined || !ctx.params.has(node.layer)) return attentionProduct(ctx, node);
  const layer = paramDecl(ctx, node.layer);
  const op = layer.op;
  if (op.kind !== 'linear') throw new Error(`graph executor: MatMul ${node.id} on a ${op.kind} layer`);
  const [a, p] = node.inputs as [string, string];
  const onDevice = await deviceParams(ctx, p, layer);
  if (node.phase === 'backward') {
    const w = onDevice?.weights ?? groupParams(ctx, p, layer)[0]!.weights;
    ctx.env.set(
      node.outputs[0]!,
      await ctx.device.matmul({ a: arg(ctx, a), b: w, m: node.m, k: op.outFeatures, n: op.inFeatures }),
    );
    return;
  }
  const sets: { weights: Resident; biases: Resident }[] = onDevice ? [onDevice] : groupParams(ctx, p, layer);
  // One product row per sample, or per token of a sequence: the input holds m rows of inFeatures.
  if (sets.length === 1 && elementCount(shapeOf(ctx, a)) === node.m * op.inFeatures) {
    ctx.env.set(
      node.outputs[0]!,
      await ctx.device['matmul-a-bt']({
        a: arg(ctx, a),
        b: sets[0]!.weights,
        m: node.m,
        k: op.inFeatures,
        n: op.outFeatures,
      }),
    );
    return;
  }
  const x = await hostNum(ctx, a);
  const out = await perGroup(sets.length, node.m * sets.length * op.outFeatures, (g) =>
    ctx.kernels['matmul-a-bt']({
      a: groupSlice(x, node.m * op.inFeatures, g),
      b: sets[g]!.weights as NumArray,
      m: node.m,
      k: op.inFeatures,
      n: op.outFeatures,
    }),
  );
  ctx.env.set(node.outputs[0]!, out);
}

type ConvShape = Pick<NodeOf<'Conv2d'>, 'inChannels' | 'outChannels' | 'kernelSize' | 'stride' | 'padding'>;

/** A conv node on the device (the step's state stays there): one parameter set, input and output handles. */
async function deviceConv2d(
  ctx: ExecContext,
  node: NodeOf<'Conv2d'>,
  conv: ConvShape,
  weights: Resident,
): Promise<void> {
  const x = arg(ctx, node.inputs[0]!);
  if (node.phase === 'backward') {
    const forward = { ...conv, inChannels: node.outChannels, outChannels: node.inChannels };
    const dims = { ...forward, batch: node.batch, height: node.outHeight, width: node.outWidth };
    ctx.env.set(node.outputs[0]!, await ctx.device['conv2d-backward-data']({ dy: x, weights, dims }));
    return;
  }
  const dims = { ...conv, batch: node.batch, height: node.inHeight, width: node.inWidth };
  ctx.env.set(node.outputs[0]!, await ctx.device.conv2d({ x, weights, dims }));
}

export async function conv2d(ctx: ExecContext, node: NodeOf<'Conv2d'>): Promise<void> {
  const [a, p] = node.inputs as [string, string];
  const conv = {
    inChannels: node.inChannels,
    outChannels: node.outChannels,
    kernelSize: node.kernelSize,
    stride: node.stride,
    padding: node.padding,
  };
  const onDevice = await deviceParams(ctx, p, paramDecl(ctx, node.layer));
  if (onDevice && shapeOf(ctx, a)[0] === node.batch) return deviceConv2d(ctx, node, conv, onDevice.weights);
  await downloadInputs(ctx, node.inputs);
  const sets = groupParams(ctx, p, paramDecl(ctx, node.layer));
  if (node.phase === 'backward') {
    // BP's input gradient is stated as the transposed conv: the node's input is the forward's output.
    const forward = { ...conv, inChannels: node.outChannels, outChannels: node.inChannels };
    const dims = { ...forward, batch: node.batch, height: node.outHeight, width: node.outWidth };
    ctx.env.set(
      node.outputs[0]!,
      await ctx.kernels['conv2d-backward-data']({ dy: num(ctx, a), weights: sets[0]!.weights, dims }),
    );
    return;
  }
  const batch = node.batch / sets.length;
  const dims = { ...conv, batch, height: node.inHeight, width: node.inWidth };
  const x = num(ctx, a);
  const perCopy = batch * node.inChannels * node.inHeight * node.inWidth;
  const out = await perGroup(sets.length, node.batch * node.outChannels * node.outHeight * node.outWidth, (g) =>
    ctx.kernels.conv2d({ x: groupSlice(x, perCopy, g), weights: sets[g]!.weights, dims }),
  );
  ctx.env.set(node.outputs[0]!, out);
}

/** BP through an activation: on the device where the step's state stays there, else on host arrays. */
async function activationBackward(
  ctx: ExecContext,
  dyId: string,
  xId: string,
  activation: Exclude<NodeOf<'BiasAct'>['act'], 'none'>,
): Promise<Resident> {
  if (ctx.ops) return ctx.device['activation-backward']({ dy: arg(ctx, dyId), x: arg(ctx, xId), activation });
  const [dy, x] = [await hostNum(ctx, dyId), await hostNum(ctx, xId)];
  return ctx.kernels['activation-backward']({ dy, x, activation });
}

export async function biasAct(ctx: ExecContext, node: NodeOf<'BiasAct'>): Promise<void> {
  const [a, b] = node.inputs as [string, string | undefined];
  if (node.phase === 'backward') {
    if (node.act === 'none') throw new Error(`graph executor: backward BiasAct ${node.id} without an activation`);
    ctx.env.set(node.outputs[0]!, await activationBackward(ctx, a, b!, node.act));
    return;
  }
  const { rows, channels, spatial } = featureLayout(ctx, node.outputs[0]!);
  const onDevice = b === undefined ? undefined : await deviceParams(ctx, b, paramDecl(ctx, node.layer));
  const sets: { biases: Resident }[] =
    b === undefined
      ? [{ biases: await constantOf(ctx, channels, 0) }]
      : onDevice
        ? [onDevice]
        : groupParams(ctx, b, paramDecl(ctx, node.layer));
  if (sets.length === 1) {
    ctx.env.set(
      node.outputs[0]!,
      await ctx.device['bias-activation']({
        z: arg(ctx, a),
        bias: sets[0]!.biases,
        rows,
        channels,
        spatial,
        activation: node.act,
      }),
    );
    return;
  }
  const z = await hostNum(ctx, a);
  const per = rows / sets.length;
  const out = await perGroup(sets.length, z.length, (g) =>
    ctx.kernels['bias-activation']({
      z: z.subarray(g * per * channels * spatial, (g + 1) * per * channels * spatial),
      bias: sets[g]!.biases as NumArray,
      rows: per,
      channels,
      spatial,
      activation: node.act,
    }),
  );
  ctx.env.set(node.outputs[0]!, out);
}

/**
 * Per channel means and variances of a batch's values (the reference kernel's, in float64), read in place:
 * the float64 copy and the two normalised arrays the whole reference batchnorm formed were 3 x 134 MB per
 * call on resnet5's first batch-norm at ALR's 512 rows.
 */
function ownStats(x: NumArray, dims: { rows: number; channels: number; spatial: number }): BnStats {
  return batchnormStatistics(x instanceof Float32Array ? x : toF64(x), dims);
}

/** A statistics tensor on the device split into means and variances. */
async function deviceStats(ops: DeviceOps, stats: Resident, channels: number) {
  return { mean: await ops.slice(stats, 0, channels), variance: await ops.slice(stats, channels, channels) };
}

/** BatchNorm on the device (the step's state stays there): statistics computed or read there too. */
async function deviceBatchNorm(
  ctx: ExecContext,
  ops: DeviceOps,
  node: NodeOf<'BatchNorm'>,
  params: { weights: Resident; biases: Resident },
): Promise<void> {
  const statsId = batchNormStats(node);
  const [first, second] = node.inputs as [string, string];
  const dims = channelsSpatial(ctx, node.phase === 'backward' ? second : first);
  if (node.phase === 'backward') {
    if (statsId === undefined) throw new Error(`graph executor: ${node.kind} ${node.id} reads no batch statistics`);
    const { variance } = await deviceStats(ops, arg(ctx, statsId), dims.channels);
    const dy = arg(ctx, first);
    ctx.env.set(
      node.outputs[0]!,
      await ctx.device['batchnorm-backward']({ dy, gamma: params.weights, variance, ...dims }),
    );
    return;
  }
  const read = node.inputs[2];
  const x = arg(ctx, first);
  const stats = read === undefined ? await ops.channelStats(x, dims) : arg(ctx, read);
  if (read === undefined && statsId !== undefined) ctx.env.set(statsId, stats);
  const { mean, variance } = await deviceStats(ops, stats, dims.channels);
  const args = { x, gamma: params.weights, beta: params.biases, mean, variance, ...dims };
  ctx.env.set(node.outputs[0]!, await ctx.device.batchnorm(args));
}

/**
 * Forward: normalises with the statistics it reads (the clean pass's) or with its batch's own, which it
 * writes; backward: dx with the forward's statistics.
 */
export async function batchNorm(ctx: ExecContext, node: NodeOf<'BatchNorm'>): Promise<void> {
  const layer = paramDecl(ctx, node.layer);
  const onDevice = await deviceParams(ctx, node.inputs[node.phase === 'backward' ? 2 : 1]!, layer);
  if (ctx.ops && onDevice) return deviceBatchNorm(ctx, ctx.ops, node, onDevice);
  await downloadInputs(ctx, node.inputs);
  const statsId = batchNormStats(node);
  if (node.phase === 'backward') {
    const [dyId, xId, p] = node.inputs as [string, string, string];
    const { variance } = batchStats(ctx, statsId, node);
    const gamma = groupParams(ctx, p, layer)[0]!.weights;
    const dims = channelsSpatial(ctx, xId);
    const dx = ctx.kernels['batchnorm-backward']({ dy: num(ctx, dyId), gamma, variance, ...dims });
    ctx.env.set(node.outputs[0]!, await dx);
    return;
  }
  const [xId, p, read] = node.inputs as [string, string, string | undefined];
  const x = num(ctx, xId);
  const dims = channelsSpatial(ctx, xId);
  const stats = read === undefined ? ownStats(x, dims) : batchStats(ctx, read, node);
  if (read === undefined && statsId !== undefined) ctx.env.set(statsId, packStats(stats));
  const sets = groupParams(ctx, p, layer);
  const per = dims.rows / sets.length;
  const width = per * dims.channels * dims.spatial;
  const out = await perGroup(sets.length, x.length, (g) =>
    ctx.kernels.batchnorm({
      x: sets.length === 1 ? x : x.subarray(g * width, (g + 1) * width),
      gamma: sets[g]!.weights,
      beta: sets[g]!.biases,
      ...stats,
      rows: per,
      channels: dims.channels,
      spatial: dims.spatial,
    }),
  );
  ctx.env.set(node.outputs[0]!, out);
}

export async function pool(ctx: ExecContext, node: NodeOf<'Pool'>): Promise<void> {
  const inputShape = node.phase === 'backward' ? shapeOf(ctx, node.outputs[0]!) : shapeOf(ctx, node.inputs[0]!);
  const [rows, channels, height, width] = inputShape as [number, number, number, number];
  const window = { size: node.size, stride: node.stride, padding: node.padding ?? 0 };
  const dims = { rows, channels, height, width, ...window, ...(node.countIncludePad ? { countIncludePad: true } : {}) };
  // With the step's state on the device, the pool's input and output stay there.
  if (ctx.ops) {
    const [first, second] = node.inputs as [string, string | undefined];
    const out =
      node.phase === 'backward'
        ? ctx.device['pool-backward']({
            dy: arg(ctx, first),
            x: second === undefined ? new Float64Array(0) : arg(ctx, second),
            op: node.op,
            dims,
          })
        : ctx.device.pool({ x: arg(ctx, first), op: node.op, dims });
    ctx.env.set(node.outputs[0]!, await out);
    return;
  }
  await downloadInputs(ctx, node.inputs);
  if (node.phase === 'backward') {
    const x = node.inputs[1] === undefined ? new Float64Array(0) : num(ctx, node.inputs[1]);
    ctx.env.set(
      node.outputs[0]!,
      await ctx.kernels['pool-backward']({ dy: num(ctx, node.inputs[0]!), x, op: node.op, dims }),
    );
    return;
  }
  ctx.env.set(node.outputs[0]!, await ctx.kernels.pool({ x: num(ctx, node.inputs[0]!), op: node.op, dims }));
}

/** a + b; under layer-wise LR a copy-invariant skip branch (N rows) meets a noisy body (N*K rows) and is broadcast. */
export async function add(ctx: ExecContext, node: NodeOf<'Add'>): Promise<void> {
  const [aId, bId] = node.inputs as [string, string];
  const rows = shapeOf(ctx, node.outputs[0]!)[0]!;
  const ops = ctx.ops;
  if (ops) {
    const full = async (id: string): Promise<Resident> => {
      const r = shapeOf(ctx, id)[0]!;
      return r === rows ? arg(ctx, id) : ops.repeatRows(arg(ctx, id), r, rows / r);
    };
    ctx.env.set(node.outputs[0]!, await ctx.device.add({ a: await full(aId), b: await full(bId) }));
    return;
  }
  await downloadInputs(ctx, node.inputs);
  const full = (id: string): NumArray => {
    const r = shapeOf(ctx, id)[0]!;
    return r === rows ? num(ctx, id) : repeatRows(num(ctx, id), r, rows / r);
  };
  ctx.env.set(node.outputs[0]!, await ctx.kernels.add({ a: full(aId), b: full(bId) }));
}
