// Graph-executor handlers of the loss and its distribution: Loss (per-row softmax cross-entropy;
// what else it emits, the baseline and the row layout are the node's: d loss / d logits, the
// baselined loss vector, or its signs), LossBroadcast (every layer reads the same vector), and Reduce
// (ES: the per-copy loss sums; LR fold: each sample's K error signals summed before the product).
// The logits and the fold's copy sum may stay on the device; the loss vector comes to the host
// (baselines, the run's loss).
import { type DeviceTensor, downloadResult, isDeviceTensor, type Resident } from '../../../kernels/device-tensor.js';
import { errorSignal } from '../../../kernels/reference/index.js';
import type { DeviceOps } from '../../../kernels/device-ops.js';
import { InvalidInputError } from '../../errors.js';
import type { IrNode } from '../../ir/types.js';
import {
  arg,
  copiesOf,
  channelsSpatial,
  downloadInputs,
  hostNum,
  hostSigns,
  isDeviceSigns,
  noiseValues,
  num,
  toF64,
  type ExecContext,
} from './exec-context.js';
import { errorCopySum, signErrorSignal } from './host-ops.js';
import { liveTokensIndex } from './token-index.js';
import { hostSigmaOf, residentSigma } from './exec-noise.js';

type NodeOf<K extends IrNode['kind']> = Extract<IrNode, { kind: K }>;

/** Labels of every loss row: sample-major rows are sample*K + copy, copy-major rows copy*N + sample. */
function rowLabels(ctx: ExecContext, node: NodeOf<'Loss'>): Int32Array {
  const K = copiesOf(node);
  if (K === 1) return ctx.labels;
  const N = node.rows / K;
  return Int32Array.from(
    { length: node.rows },
    (_, r) => ctx.labels[node.rowLayout === 'copy-major' ? r % N : Math.floor(r / K)]!,
  );
}

/** Refuses labels the Loss node's classes do not hold (as the loss kernel checks host labels). */
export function checkLabels(labels: Int32Array, node: NodeOf<'Loss'>): void {
  const bad = labels.findIndex((l) => !Number.isInteger(l) || l < 0 || l >= node.classes);
  if (bad >= 0)
    throw new InvalidInputError(
      `loss ${node.id}: labels[${bad}] = ${labels[bad]}; allowed: an integer in 0..${node.classes - 1}`,
    );
}

/**
 * The Loss node's row labels on the device: the batch's labels go up once per step (or evaluation chunk,
 * checked here as the loss kernel checks host labels), and K > 1 rows repeat them there.
 */
async function labelsOnDevice(ctx: ExecContext, ops: DeviceOps, node: NodeOf<'Loss'>): Promise<DeviceTensor> {
  ctx.deviceLabels ??= new Map();
  const K = copiesOf(node);
  const layout = K === 1 ? 'rows' : `${node.rowLayout ?? 'sample-major'} x${K}`;
  const hit = ctx.deviceLabels.get(layout);
  if (hit) return hit;
  let base = ctx.deviceLabels.get('rows');
  if (!base) {
    checkLabels(ctx.labels, node);
    base = await ops.slice(Float32Array.from(ctx.labels), 0, ctx.labels.length);
    ctx.deviceLabels.set('rows', base);
  }
  const N = ctx.labels.length;
  const rows =
    node.rowLayout === 'copy-major'
      ? await ops.concat(Array.from({ length: K }, () => base))
      : await ops.repeatRows(base, N, K);
  ctx.deviceLabels.set(layout, rows);
  return rows;
}

/** The Loss node on the device (the step's state stays there): every output a handle but loss-signs' signs. */
async function deviceLoss(ctx: ExecContext, ops: DeviceOps, node: NodeOf<'Loss'>): Promise<void> {
  const logits = arg(ctx, node.inputs[0]!);
  const { rows, classes } = node;
  const labels = await labelsOnDevice(ctx, ops, node);
  const losses = await ops.crossEntropy({ logits, labels, rows, classes });
  ctx.losses.push(losses);
  const emits = node.emits ?? 'gradient';
  if (emits === 'gradient') {
    ctx.env.set(node.outputs[0]!, losses);
    if (node.outputs[1] !== undefined)
      ctx.env.set(node.outputs[1], await ops.crossEntropyGradient({ logits, labels, rows, classes }));
    return;
  }
  const K = copiesOf(node);
  const shaped = await ctx.device['loss-baseline']({
    loss: losses,
    samples: rows / K,
    copies: K,
    baseline: node.baseline ?? 'none',
    copyMajor: node.rowLayout === 'copy-major',
  });
  ctx.env.set(node.outputs[0]!, emits === 'loss-signs' ? toF64(await downloadResult(shaped)).map(Math.sign) : shaped);
  if (node.outputs[1] !== undefined) ctx.env.set(node.outputs[1], shaped);
}

export async function loss(ctx: ExecContext, node: NodeOf<'Loss'>): Promise<void> {
  if (ctx.ops) return deviceLoss(ctx, ctx.ops, node);
  const logitsId = node.inputs[0]!;
  const labels = rowLabels(ctx, node);
  const losses = toF64(
    await downloadResult(
      await ctx.device['softmax-cross-entropy']({
        logits: arg(ctx, logitsId),
        labels,
        rows: node.rows,
        classes: node.classes,
      }),
    ),
  );
  ctx.losses.push(losses);
  const emits = node.emits ?? 'gradient';
  if (emits === 'gradient') {
    ctx.env.set(node.outputs[0]!, losses);
    if (node.outputs[1] !== undefined) {
      const logits = await hostNum(ctx, logitsId);
      const gradient = ctx.kernels['softmax-gradient']({ logits, labels, rows: node.rows, classes: node.classes });
      ctx.env.set(node.outputs[1], await gradient);
    }
    return;
  }
  const K = copiesOf(node);
  const shaped = toF64(
    await ctx.kernels['loss-baseline']({
      loss: losses,
      samples: node.rows / K,
      copies: K,
      baseline: node.baseline ?? 'none',
      copyMajor: node.rowLayout === 'copy-major',
    }),
  );
  ctx.env.set(node.outputs[0]!, emits === 'loss-signs' ? shaped.map(Math.sign) : shaped);
  // Under loss-signs, a second output (learned sigma) keeps the float baselined loss.
  if (node.outputs[1] !== undefined) ctx.env.set(node.outputs[1], shaped);
}

export function lossBroadcast(ctx: ExecContext, node: NodeOf<'LossBroadcast'>): void {
  const value = arg(ctx, node.inputs[0]!);
  for (const out of node.outputs) ctx.env.set(out, value);
}

/** delta = noiseScale * loss[r] * e[r, c, s] / sigma (METHOD.md 2.1); the node reading the noise carries noiseScale. */
async function errorSignalParts(
  ctx: ExecContext,
  node: IrNode,
  source: string,
): Promise<{ dims: ReturnType<typeof channelsSpatial>; sigma: Float64Array }> {
  const dims = channelsSpatial(ctx, source);
  return { dims, sigma: await hostSigmaOf(ctx, node, dims.channels) };
}

/** The error signal of `node` (a gradient product) from its noise source and loss (on the device where they are). */
export async function errorSignalOf(
  ctx: ExecContext,
  node: IrNode,
  source: string,
  lossId: string,
  scale: number,
): Promise<Resident> {
  const device = await deviceSignalOf(ctx, node, source, lossId, scale);
  if (device) return withoutUnreachable(ctx, node, device);
  const { dims, sigma } = await errorSignalParts(ctx, node, source);
  const loss = toF64(await hostNum(ctx, lossId));
  await downloadInputs(ctx, [source]);
  const signs = hostSigns(ctx, source);
  // Sign bits straight to the signal (no unpacked copy); bad values take errorSignal, whose checks name them.
  if (signs && loss.every(Number.isFinite) && sigma.every((s) => s > 0))
    return withoutUnreachable(
      ctx,
      node,
      keptSignal(ctx, node, (reuse) => signErrorSignal(loss, signs, sigma, dims, scale, reuse)),
    );
  return withoutUnreachable(ctx, node, errorSignal(loss, noiseValues(ctx, source), sigma, dims, scale));
}

/** The signal `form` writes, into the array this node formed on its last run where one is kept (step-buffers.ts). */
function keptSignal(ctx: ExecContext, node: IrNode, form: (reuse?: Float64Array) => Float64Array): Float64Array {
  const { graph, buffers, options } = ctx;
  const signal = form(buffers?.takeSignal(graph, node, options.firstSample));
  buffers?.keepSignal(graph, node, options.firstSample, signal);
  return signal;
}

/**
 * The error signals with the tokens that cannot reach the loss zeroed (the node's liveTokens; token-reach.ts):
 * in place on the host, by a gather with an index map kept on the device (-1 reads 0) there.
 */
async function withoutUnreachable(ctx: ExecContext, node: IrNode, delta: Resident): Promise<Resident> {
  const live = 'liveTokens' in node ? node.liveTokens : undefined;
  if (!live) return delta;
  const rows = delta.length / (live.tokens * live.features);
  const index = liveTokensIndex(live, rows);
  if (!isDeviceTensor(delta)) return delta.map((v, i) => (index[i]! < 0 ? 0 : v));
  const key = `live-tokens|${rows}|${live.tokens}|${live.features}|${live.live.join(',')}`;
  return ctx.ops!.gather(delta, await ctx.constants!.array(ctx.ops!, key, () => index), 1);
}

/** The error signal formed on the device from the noise or sign words kept there; undefined when on the host. */
async function deviceSignalOf(
  ctx: ExecContext,
  node: IrNode,
  source: string,
  lossId: string,
  scale: number,
): Promise<DeviceTensor | undefined> {
  const noise = ctx.env.get(source);
  if (!ctx.ops || !isDeviceTensor(noise)) return undefined;
  const dims = channelsSpatial(ctx, source);
  const sigma = await residentSigma(ctx, node, dims.channels);
  if (!isDeviceSigns(ctx, source))
    return ctx.ops.errorSignal({ eps: noise, loss: arg(ctx, lossId), sigma, ...dims, scale });
  const halves = noise;
  const signs = { halves, count: dims.rows * dims.channels * dims.spatial };
  return ctx.ops.signErrorSignal({ signs, loss: arg(ctx, lossId), sigma, ...dims, scale });
}

/**
 * The fold's per-sample sums of the error signals, read from eps or packed sign bits in one pass (host-ops
 * errorCopySum), or formed and summed on the device from device sign words.
 */
async function copySummedErrorSignal(ctx: ExecContext, node: NodeOf<'Reduce'>): Promise<Resident> {
  const [source, lossId] = node.inputs as [string, string];
  const rows = await deviceSignalOf(ctx, node, source, lossId, node.noiseScale ?? 1);
  if (rows) {
    const dims = channelsSpatial(ctx, source);
    const width = dims.channels * dims.spatial;
    const K = copiesOf(node);
    return ctx.device['copy-sum']({ x: rows, samples: dims.rows / K, copies: K, width });
  }
  const { dims, sigma } = await errorSignalParts(ctx, node, source);
  const loss = await hostNum(ctx, lossId);
  await downloadInputs(ctx, [source]);
  return errorCopySum(
    loss,
    hostSigns(ctx, source) ?? num(ctx, source),
    sigma,
    dims,
    copiesOf(node),
    node.noiseScale ?? 1,
  );
}

export async function reduce(ctx: ExecContext, node: NodeOf<'Reduce'>): Promise<void> {
  const out = node.outputs[0]!;
  if (node.inputs.length === 1) {
    // ES: per-copy sums of the (copy-major) loss rows.
    const shaped = toF64(await hostNum(ctx, node.inputs[0]!));
    const K = copiesOf(node);
    ctx.env.set(
      out,
      Float64Array.from({ length: K }, (_, k) =>
        shaped.subarray(k * node.factor, (k + 1) * node.factor).reduce((a, b) => a + b, 0),
      ),
    );
    return;
  }
  ctx.env.set(out, await withoutUnreachable(ctx, node, await copySummedErrorSignal(ctx, node)));
}
