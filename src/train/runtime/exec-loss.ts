// Graph-executor handlers of the loss and its distribution: Loss (per-row softmax cross-entropy;
// BP also emits d loss / d logits; the other methods emit the baselined loss vector, or its signs
// for ALR's sign-signal reading), LossBroadcast (every layer reads the same vector), and Reduce
// (ES: the per-copy loss sums; LR fold: each sample's K error signals summed before the product).
// The logits and the fold's copy sum may stay on the device; the loss vector comes to the host
// (baselines, the run's loss).
import { downloadResult } from '../../../kernels/device-tensor.js';
import { errorSignal } from '../../../kernels/reference/index.js';
import type { IrNode } from '../../ir/types.js';
import { arg, channelsSpatial, downloadInputs, hostNum, isWeightSpace, noiseValues, num, toF64, type ExecContext } from './exec-context.js';
import { errorCopySum, softmaxGradient, subtractBaseline } from './host-ops.js';
import { sigmaOf } from './exec-noise.js';

type NodeOf<K extends IrNode['kind']> = Extract<IrNode, { kind: K }>;

/** Labels of every loss row: LR rows are sample*K + copy, ES rows copy*N + sample. */
function rowLabels(ctx: ExecContext, rows: number): Int32Array {
  const N = ctx.graph.meta.batch;
  if (rows === N) return ctx.labels;
  const K = rows / N;
  return Int32Array.from({ length: rows }, (_, r) => ctx.labels[isWeightSpace(ctx) ? r % N : Math.floor(r / K)]!);
}

export async function loss(ctx: ExecContext, node: NodeOf<'Loss'>): Promise<void> {
  const logitsId = node.inputs[0]!;
  const labels = rowLabels(ctx, node.rows);
  const losses = toF64(await downloadResult(await ctx.device['softmax-cross-entropy']({ logits: arg(ctx, logitsId), labels, rows: node.rows, classes: node.classes })));
  ctx.losses.push(losses);
  const { meta } = ctx.graph;
  if (meta.method === 'bp') {
    ctx.env.set(node.outputs[0]!, losses);
    if (node.outputs[1] !== undefined) ctx.env.set(node.outputs[1], softmaxGradient(await hostNum(ctx, logitsId), labels, node.rows, node.classes));
    return;
  }
  const K = node.rows / meta.batch;
  const shaped = subtractBaseline(losses, meta.batch, K, ctx.options.baseline, isWeightSpace(ctx));
  const signSignal = meta.method === 'alr' && ctx.options.encoding === 'sign-signal';
  ctx.env.set(node.outputs[0]!, signSignal ? shaped.map(Math.sign) : shaped);
}

export function lossBroadcast(ctx: ExecContext, node: NodeOf<'LossBroadcast'>): void {
  const value = arg(ctx, node.inputs[0]!);
  for (const out of node.outputs) ctx.env.set(out, value);
}

/** delta = scale * loss[r] * e[r, c, s] / sigma (METHOD.md 2.1); ALR's sign-noise reading scales by sqrt(pi/2). */
function errorSignalParts(ctx: ExecContext, source: string): { dims: ReturnType<typeof channelsSpatial>; scale: number; sigma: Float64Array } {
  const dims = channelsSpatial(ctx, source);
  const scale = ctx.graph.meta.method === 'alr' && ctx.options.encoding === 'sign-noise' ? Math.sqrt(Math.PI / 2) : 1;
  return { dims, scale, sigma: sigmaOf(ctx, ctx.graph.tensors[source]?.layer, dims.channels) };
}

export async function errorSignalOf(ctx: ExecContext, source: string, lossId: string): Promise<Float64Array> {
  const { dims, scale, sigma } = errorSignalParts(ctx, source);
  const loss = toF64(await hostNum(ctx, lossId));
  await downloadInputs(ctx, [source]);
  return errorSignal(loss, noiseValues(ctx, source), sigma, dims, scale);
}

/** The fold's per-sample sums of the error signals, read from eps or packed sign bits in one pass (host-ops errorCopySum). */
async function copySummedErrorSignal(ctx: ExecContext, source: string, lossId: string): Promise<Float64Array> {
  const { dims, scale, sigma } = errorSignalParts(ctx, source);
  const loss = await hostNum(ctx, lossId);
  await downloadInputs(ctx, [source]);
  const noise = ctx.env.get(source)!;
  return errorCopySum(loss, noise instanceof Uint32Array ? noise : num(ctx, source), sigma, dims, ctx.graph.meta.batch, scale);
}

export async function reduce(ctx: ExecContext, node: NodeOf<'Reduce'>): Promise<void> {
  const out = node.outputs[0]!;
  if (node.inputs.length === 1) {
    // ES: per-copy sums of the (copy-major) loss rows.
    const shaped = toF64(await hostNum(ctx, node.inputs[0]!));
    const K = node.elements;
    ctx.env.set(out, Float64Array.from({ length: K }, (_, k) => shaped.subarray(k * node.factor, (k + 1) * node.factor).reduce((a, b) => a + b, 0)));
    return;
  }
  ctx.env.set(out, await copySummedErrorSignal(ctx, node.inputs[0]!, node.inputs[1]!));
}
