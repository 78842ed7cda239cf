// ES/AES forward nodes where the step's state stays on the device (ctx.ops): a node reading K perturbed
// parameter copies ([K, P], copy-major: copy g's output rows are g * rows ...) runs as one device kernel
// over all copies (kernels/device-ops.ts matmulCopies, conv2dCopies, biasActivationCopies,
// batchnormCopies), each copy reading its parameters in place on the device. An input every copy shares
// (the batch, or the output of copy-invariant layers before the first parametrised one) is read whole
// by each copy, as param-groups.ts does on the host. Nodes of one parameter set take the other paths.
import type { CopyLayout, DeviceOps } from '../../../kernels/device-ops.js';
import { isDeviceTensor, type Resident } from '../../../kernels/device-tensor.js';
import { batchNormStats, elementCount } from '../../ir/graph.js';
import type { IrNode } from '../../ir/types.js';
import { arg, channelsSpatial, featureLayout, paramDecl, shapeOf, type ExecContext } from './exec-context.js';

type NodeOf<K extends IrNode['kind']> = Extract<IrNode, { kind: K }>;
type CopiesNode = NodeOf<'MatMul' | 'BiasAct' | 'Conv2d' | 'BatchNorm'>;

/** The perturbed copies a forward node reads on the device, with their count and width; undefined otherwise. */
export function copiesRead(
  ctx: ExecContext,
  node: CopiesNode | NodeOf<'LayerNorm' | 'TokenOp'>,
): { id: string; copies: number; width: number } | undefined {
  if (!ctx.ops || node.phase !== 'forward' || node.layer === undefined || !ctx.params.has(node.layer)) return undefined;
  const id = node.inputs[1];
  if (id === undefined || ctx.graph.tensors[id]?.cls !== 'weight' || !isDeviceTensor(ctx.env.get(id))) return undefined;
  const shape = shapeOf(ctx, id);
  return shape.length === 2 ? { id, copies: shape[0]!, width: shape[1]! } : undefined;
}

/** The layout of a node whose output has `outRows` rows in all and whose input holds `inRows` (shared: one copy's). */
export function layoutOf(copies: number, width: number, outRows: number, inRows: number): CopyLayout {
  const rows = outRows / copies;
  if (inRows !== rows && inRows !== outRows)
    throw new Error(`graph executor: an input of ${inRows} rows for ${copies} copies of ${rows} rows`);
  return { copies, rows, width, shared: inRows === rows && copies > 1 };
}

async function matmulCopies(ctx: ExecContext, ops: DeviceOps, node: NodeOf<'MatMul'>, params: Resident) {
  const op = paramDecl(ctx, node.layer).op;
  if (op.kind !== 'linear') throw new Error(`graph executor: MatMul ${node.id} on a ${op.kind} layer`);
  const { copies, width } = copiesRead(ctx, node)!;
  const x = node.inputs[0]!;
  const outRows = elementCount(shapeOf(ctx, node.outputs[0]!)) / op.outFeatures;
  const layout = layoutOf(copies, width, outRows, elementCount(shapeOf(ctx, x)) / op.inFeatures);
  return ops.matmulCopies(arg(ctx, x), params, { ...layout, ins: op.inFeatures, outs: op.outFeatures });
}

async function conv2dCopies(ctx: ExecContext, ops: DeviceOps, node: NodeOf<'Conv2d'>, params: Resident) {
  const { copies, width } = copiesRead(ctx, node)!;
  const x = node.inputs[0]!;
  const layout = layoutOf(copies, width, node.batch, shapeOf(ctx, x)[0]!);
  const dims = {
    ...{ inChannels: node.inChannels, outChannels: node.outChannels, kernelSize: node.kernelSize },
    ...{ stride: node.stride, padding: node.padding, batch: layout.rows, height: node.inHeight, width: node.inWidth },
  };
  return ops.conv2dCopies(arg(ctx, x), params, { ...layout, dims });
}

async function biasActCopies(ctx: ExecContext, ops: DeviceOps, node: NodeOf<'BiasAct'>, params: Resident) {
  const { copies, width } = copiesRead(ctx, node)!;
  const { rows, channels, spatial } = featureLayout(ctx, node.outputs[0]!);
  const layout = layoutOf(copies, width, rows, rows);
  const offset = paramDecl(ctx, node.layer).weights;
  return ops.biasActivationCopies(arg(ctx, node.inputs[0]!), params, {
    ...{ ...layout, channels, spatial, offset, activation: node.act },
  });
}

/** Statistics read (the clean pass's) or computed over all copies' rows, as the host path does. */
async function batchnormCopies(ctx: ExecContext, ops: DeviceOps, node: NodeOf<'BatchNorm'>, params: Resident) {
  const { copies, width } = copiesRead(ctx, node)!;
  const [xId, , read] = node.inputs as [string, string, string | undefined];
  const x = arg(ctx, xId);
  const dims = channelsSpatial(ctx, xId);
  const stats = read === undefined ? await ops.channelStats(x, dims) : arg(ctx, read);
  const statsId = batchNormStats(node);
  if (read === undefined && statsId !== undefined) ctx.env.set(statsId, stats);
  const mean = await ops.slice(stats, 0, dims.channels);
  const variance = await ops.slice(stats, dims.channels, dims.channels);
  const layout = layoutOf(copies, width, dims.rows, dims.rows);
  const offset = paramDecl(ctx, node.layer).weights;
  const args = { ...layout, channels: dims.channels, spatial: dims.spatial, offset };
  return ops.batchnormCopies(x, params, { mean, variance }, args);
}

/** Runs a forward node over K perturbed copies held on the device; false when the node is not of that form. */
export async function forwardCopiesOnDevice(ctx: ExecContext, node: CopiesNode): Promise<boolean> {
  const read = copiesRead(ctx, node);
  if (!read) return false;
  const ops = ctx.ops!;
  const params = arg(ctx, read.id);
  const out =
    node.kind === 'MatMul'
      ? await matmulCopies(ctx, ops, node, params)
      : node.kind === 'Conv2d'
        ? await conv2dCopies(ctx, ops, node, params)
        : node.kind === 'BiasAct'
          ? await biasActCopies(ctx, ops, node, params)
          : await batchnormCopies(ctx, ops, node, params);
  ctx.env.set(node.outputs[0]!, out);
  return true;
}
