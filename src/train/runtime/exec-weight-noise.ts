// ES/AES weight-space noise where the step's state stays on the device (ctx.ops): the K x P noise is
// drawn there by the noise kernel's counters (seed, step, the layer's stream, copy, parameter), as the
// host path draws it, or drawn again for a regenerating node; antithetic pairs are formed there; the
// perturbed copies theta + sigma * eps_k, the sign words AES keeps, the per-copy loss sums and the
// weight-space gradient (METHOD.md 2.4: g = noiseScale / (normaliser * sigma) * sum_k L_k * noise_k,
// noise being eps, or its signs for AES) are all formed on the device. Nothing is read back.
import { isDeviceTensor, type DeviceTensor } from '../../../kernels/device-tensor.js';
import type { DeviceOps } from '../../../kernels/device-ops.js';
import { elementCount } from '../../ir/graph.js';
import type { IrNode } from '../../ir/types.js';
import {
  arg,
  constantOf,
  copiesOf,
  isDeviceSigns,
  noiseRowOffset,
  paramDecl,
  shapeOf,
  type ExecContext,
} from './exec-context.js';
import { checkAntitheticCopies } from './exec-noise.js';

type NodeOf<K extends IrNode['kind']> = Extract<IrNode, { kind: K }>;

/** The layer's standard normal weight noise, K copies x P parameters, on the device (pairs formed when antithetic). */
async function weightEps(ctx: ExecContext, ops: DeviceOps, node: NodeOf<'NoiseInject'>): Promise<DeviceTensor> {
  const [copies, units] = shapeOf(ctx, node.outputs[0]!) as [number, number];
  checkAntitheticCopies(node, copies);
  const counters = {
    ...{ rows: copies, channels: 1, spatial: units, seed: ctx.options.seed, step: ctx.options.step },
    ...{ layer: paramDecl(ctx, node.layer).stream, rowOffset: noiseRowOffset(ctx, node) },
  };
  const z = await constantOf(ctx, copies * units, 0);
  const eps = await ctx.device['noise-inject']({ z, sigma: await constantOf(ctx, 1, 1), ...counters });
  return node.antithetic ? ops.antithetic(eps, copies) : (eps as DeviceTensor);
}

/** The noise as a node output keeps it: floats, or sign words where the tensor holds bits. */
async function asStored(ctx: ExecContext, ops: DeviceOps, id: string, eps: DeviceTensor): Promise<DeviceTensor> {
  return ctx.graph.tensors[id]?.dtype === 'bit' ? (await ops.packSigns(eps)).halves : eps;
}

/**
 * A copy-major NoiseInject on the device: with the layer's parameters as input, their K perturbed
 * copies (and the noise it keeps); with none, the noise drawn again. False for other nodes.
 */
export async function weightNoiseOnDevice(ctx: ExecContext, node: NodeOf<'NoiseInject'>): Promise<boolean> {
  const ops = ctx.ops;
  if (!ops || node.rowLayout !== 'copy-major') return false;
  const eps = await weightEps(ctx, ops, node);
  const [out, keep] = node.outputs as [string, string | undefined];
  if (node.inputs.length === 0) {
    ctx.env.set(out, await asStored(ctx, ops, out, eps));
    return true;
  }
  const [copies, units] = shapeOf(ctx, out) as [number, number];
  const theta = await ops.repeatRows(arg(ctx, node.inputs[0]!), 1, copies);
  if (theta.length !== copies * units)
    throw new Error(`graph executor: ${node.id} perturbs ${theta.length / copies} parameters, its output ${units}`);
  ctx.env.set(out, await ctx.device.add({ a: theta, b: await ops.scale(eps, ctx.options.sigma) }));
  if (keep !== undefined) ctx.env.set(keep, await asStored(ctx, ops, keep, eps));
  return true;
}

/** SignPack of a float tensor held on the device: the sign words stay there. False where it is on the host. */
export async function signPackOnDevice(ctx: ExecContext, node: NodeOf<'SignPack'>): Promise<boolean> {
  const values = ctx.env.get(node.inputs[0]!);
  if (!ctx.ops || !isDeviceTensor(values)) return false;
  ctx.env.set(node.outputs[0]!, (await ctx.ops.packSigns(values)).halves);
  return true;
}

/** ES's per-copy sums of the copy-major loss rows (copy k's rows k * N .. k * N + N - 1) on the device. */
export async function perCopyLossOnDevice(ctx: ExecContext, node: NodeOf<'Reduce'>): Promise<boolean> {
  const loss = ctx.env.get(node.inputs[0]!);
  if (!ctx.ops || !isDeviceTensor(loss)) return false;
  const copies = copiesOf(node);
  ctx.env.set(
    node.outputs[0]!,
    await ctx.device['copy-sum']({ x: loss, samples: copies, copies: node.factor, width: 1 }),
  );
  return true;
}

/**
 * The weight-space gradient on the device: the per-copy losses times the K x P noise (a 1 x K by K x P
 * product), or for sign words each copy's signed loss summed over the copies, then scaled. False where the
 * noise is on the host.
 */
export async function weightGradientOnDevice(ctx: ExecContext, node: NodeOf<'GradProduct'>): Promise<boolean> {
  const [source, lossId] = node.inputs as [string, string];
  const noise = ctx.env.get(source);
  const ops = ctx.ops;
  if (!ops || !isDeviceTensor(noise)) return false;
  const copies = copiesOf(node);
  const units = elementCount(shapeOf(ctx, source)) / copies;
  const scale = (node.noiseScale ?? 1) / ((node.normaliser ?? 1) * ctx.options.sigma);
  const loss = arg(ctx, lossId);
  if (!isDeviceSigns(ctx, source)) {
    const product = await ctx.device.matmul({ a: loss, b: noise, m: 1, k: copies, n: units });
    ctx.env.set(node.outputs[0]!, await ops.scale(product, scale));
    return true;
  }
  const signs = { halves: noise, count: copies * units };
  const sigma = await constantOf(ctx, 1, 1);
  // Unscaled signed losses summed over the copies in the product's order, then scaled, as the host path does:
  // where every copy's sign agrees the mean-baselined sum is rounding residue, and Adam steps by its sign.
  const signed = await ops.signErrorSignal({ signs, loss, sigma, rows: copies, channels: 1, spatial: units, scale: 1 });
  const product = await ctx.device['copy-sum']({ x: signed, samples: 1, copies, width: units });
  ctx.env.set(node.outputs[0]!, await ops.scale(product, scale));
  return true;
}
