// ES/AES token-layer forward nodes where the step's state stays on the device (ctx.ops): LayerNorm, the
// class token and the position table over K perturbed parameter copies ([K, P], copy-major: copy g's
// output rows are g * rows ...), one device kernel per node (kernels/device-ops.ts layernormCopies,
// classTokenCopies; the position table is added as each copy's bias, biasActivationCopies), each copy
// reading its parameters in place. An input every copy shares is read whole by each copy, as
// exec-tokens.ts does on the host. Nodes of one parameter set take exec-tokens-device.ts's paths.
import type { DeviceOps } from '../../../kernels/device-ops.js';
import type { Resident } from '../../../kernels/device-tensor.js';
import { elementCount } from '../../ir/graph.js';
import type { IrNode } from '../../ir/types.js';
import { arg, paramDecl, shapeOf, type ExecContext } from './exec-context.js';
import { copiesRead, layoutOf } from './exec-copies-device.js';

type NodeOf<K extends IrNode['kind']> = Extract<IrNode, { kind: K }>;
type Read = { copies: number; width: number };

/** Rows of a tensor of `unit` values per row. */
const rowsOf = (ctx: ExecContext, id: string, unit: number): number => elementCount(shapeOf(ctx, id)) / unit;

async function layerNormCopies(ctx: ExecContext, ops: DeviceOps, node: NodeOf<'LayerNorm'>, p: Resident, r: Read) {
  const op = paramDecl(ctx, node.layer).op;
  if (op.kind !== 'layernorm') throw new Error(`graph executor: LayerNorm ${node.id} on a ${op.kind} layer`);
  const [x, out, { copies, width }] = [node.inputs[0]!, node.outputs[0]!, r];
  const layout = layoutOf(copies, width, rowsOf(ctx, out, node.features), rowsOf(ctx, x, node.features));
  return ops.layernormCopies(arg(ctx, x), p, { ...layout, features: node.features, epsilon: op.epsilon });
}

async function classTokenCopies(ctx: ExecContext, ops: DeviceOps, node: NodeOf<'TokenOp'>, p: Resident, r: Read) {
  const { tokens, features } = node;
  const [x, out, { copies, width }] = [node.inputs[0]!, node.outputs[0]!, r];
  const layout = layoutOf(copies, width, rowsOf(ctx, out, tokens * features), rowsOf(ctx, x, (tokens - 1) * features));
  return ops.classTokenCopies(arg(ctx, x), p, { ...layout, tokens, features });
}

/** x plus each copy's position table: the table as a bias over tokens x features channels. */
async function positionCopies(ctx: ExecContext, ops: DeviceOps, node: NodeOf<'TokenOp'>, p: Resident, r: Read) {
  const channels = node.tokens * node.features;
  const [x, out, { copies, width }] = [node.inputs[0]!, node.outputs[0]!, r];
  const outRows = rowsOf(ctx, out, channels);
  const inRows = rowsOf(ctx, x, channels);
  layoutOf(copies, width, outRows, inRows);
  const z = inRows === outRows ? arg(ctx, x) : await ops.repeatRows(arg(ctx, x), 1, copies);
  const layout = layoutOf(copies, width, outRows, outRows);
  return ops.biasActivationCopies(z, p, { ...layout, channels, spatial: 1, offset: 0, activation: 'none' });
}

/** Runs a token layer's forward over K perturbed copies held on the device; false when the node is not of that form. */
export async function tokenCopiesOnDevice(ctx: ExecContext, node: NodeOf<'LayerNorm' | 'TokenOp'>): Promise<boolean> {
  const read = copiesRead(ctx, node);
  if (!read) return false;
  const ops = ctx.ops!;
  const p = arg(ctx, read.id);
  let out;
  if (node.kind === 'LayerNorm') out = await layerNormCopies(ctx, ops, node, p, read);
  else if (node.op === 'class-token') out = await classTokenCopies(ctx, ops, node, p, read);
  else if (node.op === 'position') out = await positionCopies(ctx, ops, node, p, read);
  else throw new Error(`graph executor: TokenOp ${node.id} (${node.op}) has no per-copy device path`);
  ctx.env.set(node.outputs[0]!, out);
  return true;
}
