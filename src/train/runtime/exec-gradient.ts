// Graph-executor handler of GradProduct: one layer's weight and bias gradient, written as one
// buffer (weights then biases). In activation space it reads (layer input, dL/dz), (stored input,
// noise or sign bits, loss vector), or (stored input, copy-summed error signals) after the fold
// pass; in weight space (K x P noise or signs, per-copy losses): g = losses^T noise / sigma. The
// node carries the noise scale and the normaliser the product is divided by.
// Dense and conv products run on ctx.device (their layer input and error signals may be handles);
// the gradient itself comes to the host (the update and the step's result read it).
import { type DeviceTensor, downloadResult, type Resident } from '../../../kernels/device-tensor.js';
import type { DeviceOps } from '../../../kernels/device-ops.js';
import type { NumArray } from '../../../kernels/names.js';
import { channelSum } from '../../../kernels/reference/index.js';
import { gradProductInputs } from '../../ir/graph.js';
import type { IrNode, ParamDecl } from '../../ir/types.js';
import {
  arg,
  copiesOf,
  batchStats,
  channelsSpatial,
  constantOf,
  downloadInputs,
  hostNum,
  noiseValues,
  num,
  paramDecl,
  shapeOf,
  toF64,
  type ExecContext,
} from './exec-context.js';
import { errorSignalOf } from './exec-loss.js';
import { convDimsOf } from '../../../kernels/reference/conv-dims.js';
import { elementCount } from '../../ir/graph.js';
import { tokenParamProduct } from './exec-tokens.js';

type NodeOf<K extends IrNode['kind']> = Extract<IrNode, { kind: K }>;

/** Weights then biases in one buffer, scaled in float64; unscaled float32 parts stay float32 (the same values). */
function concat(weights: NumArray, biases: NumArray, scale: number): NumArray {
  const float32 = scale === 1 && weights instanceof Float32Array && biases instanceof Float32Array;
  const out = float32
    ? new Float32Array(weights.length + biases.length)
    : new Float64Array(weights.length + biases.length);
  out.set(weights);
  out.set(biases, weights.length);
  return scale === 1 ? out : out.map((v) => v * scale);
}

/** x times factor on the device (x itself when the factor is 1). */
function deviceScaled(ops: DeviceOps, x: DeviceTensor, factor: number): Promise<DeviceTensor> | DeviceTensor {
  return factor === 1 ? x : ops.scale(x, factor);
}

/** Batch-norm scale and shift gradients with the statistics the node reads: sums of dz * x-hat and dz per channel. */
async function batchnormProduct(
  ctx: ExecContext,
  node: NodeOf<'GradProduct'>,
  xId: string,
  delta: Resident,
  rows: number,
): Promise<NumArray> {
  const dims = channelsSpatial(ctx, xId);
  const statsId = gradProductInputs(node).stats;
  await downloadInputs(ctx, statsId === undefined ? [] : [statsId]);
  const stats = batchStats(ctx, statsId, node);
  const d = await downloadResult(delta);
  const xs = await hostNum(ctx, xId);
  const sums = batchnormSums(d, xs, stats, rows, dims.channels, dims.spatial);
  // A non-finite sum takes the checked path, whose channel sums name the first bad value.
  if (!sums.every(Number.isFinite)) return checkedBatchnormProduct(node, toF64(d), xs, stats, rows, dims);
  return concat(sums.subarray(0, dims.channels), sums.subarray(dims.channels), 1 / (node.normaliser ?? 1));
}

/**
 * Per channel, sum of d * x-hat then sum of d (x-hat = (x - mean) * (1 / sqrt(variance + 1e-5))), in one
 * pass without the weighted array: the same products summed in channelSum's order (per row and channel
 * over the spatial positions, then into the channel's total), so the same bits as channelSum of
 * d * x-hat and of d.
 */
function batchnormSums(
  d: NumArray,
  xs: NumArray,
  stats: { mean: Float64Array; variance: Float64Array },
  rows: number,
  channels: number,
  spatial: number,
): Float64Array {
  const out = new Float64Array(2 * channels);
  const invStd = stats.variance.map((v) => 1 / Math.sqrt(v + 1e-5));
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < channels; c++) {
      const base = (r * channels + c) * spatial;
      const mean = stats.mean[c]!;
      const inv = invStd[c]!;
      let weighted = 0;
      let plain = 0;
      for (let s = 0; s < spatial; s++) {
        const v = d[base + s]!;
        weighted += v * ((xs[base + s]! - mean) * inv);
        plain += v;
      }
      out[c]! += weighted;
      out[channels + c]! += plain;
    }
  }
  return out;
}

/** batchnormSums through the checked channel sums (which reject a non-finite value with its index). */
function checkedBatchnormProduct(
  node: NodeOf<'GradProduct'>,
  d: Float64Array,
  xs: NumArray,
  stats: { mean: Float64Array; variance: Float64Array },
  rows: number,
  dims: { channels: number; spatial: number },
): NumArray {
  const c = (i: number): number => Math.floor(i / dims.spatial) % dims.channels;
  const weighted = d.map((v, i) => v * ((xs[i]! - stats.mean[c(i)]!) * (1 / Math.sqrt(stats.variance[c(i)]! + 1e-5))));
  return concat(
    channelSum(weighted, rows, dims.channels, dims.spatial),
    channelSum(d, rows, dims.channels, dims.spatial),
    1 / (node.normaliser ?? 1),
  );
}

/** A layer's gradient from its input and error signal (shaped as the tensor `deltaId`). */
async function layerProduct(
  ctx: ExecContext,
  node: NodeOf<'GradProduct'>,
  layer: ParamDecl,
  xId: string,
  delta: Resident,
  deltaId: string,
): Promise<Resident> {
  const normaliser = node.normaliser ?? 1;
  const x = arg(ctx, xId);
  const op = layer.op;
  // Product rows: samples (with their copies), or their tokens on a sequence.
  const rows = op.kind === 'linear' ? elementCount(shapeOf(ctx, xId)) / op.inFeatures : shapeOf(ctx, xId)[0]!;
  switch (op.kind) {
    case 'linear': {
      // loss = 1, sigma = 1 make the LR product kernel the plain D^T X product, scaled by 1/normaliser.
      const g = await ctx.device['lr-grad-product']({
        loss: await constantOf(ctx, rows, 1),
        e: delta,
        x,
        sigma: await constantOf(ctx, op.outFeatures, 1),
        rows,
        outs: op.outFeatures,
        ins: op.inFeatures,
        scale: 1 / normaliser,
      });
      // The step's state on the device: the gradient buffer stays there.
      if (ctx.ops) return ctx.ops.concat([g.weights, g.biases]);
      const host = await downloadResult(g);
      return concat(host.weights, host.biases, 1);
    }
    case 'conv2d': {
      const [, , height, width] = shapeOf(ctx, xId) as [number, number, number, number];
      const dims = convDimsOf(op, rows, height, width);
      const g = await ctx.device['conv2d-backward-weights']({ dy: delta, x, dims });
      // The step's state on the device: the gradient buffer stays there.
      if (ctx.ops) return deviceScaled(ctx.ops, await ctx.ops.concat([g.weights, g.biases]), 1 / normaliser);
      const host = await downloadResult(g);
      return concat(host.weights, host.biases, 1 / normaliser);
    }
    case 'batchnorm': {
      const statsId = gradProductInputs(node).stats;
      if (!ctx.ops || statsId === undefined) return batchnormProduct(ctx, node, xId, delta, rows);
      const dims = channelsSpatial(ctx, xId);
      const stats = arg(ctx, statsId);
      return ctx.ops.batchnormParamGradient({ dy: delta, x, stats, ...dims, scale: 1 / normaliser });
    }
    case 'layernorm':
    case 'class-token':
    case 'position-embedding':
      return tokenParamProduct(ctx, layer, xId, delta, deltaId, normaliser);
    default:
      return op satisfies never;
  }
}

async function weightSpaceGradient(ctx: ExecContext, node: NodeOf<'GradProduct'>): Promise<Float64Array> {
  const [source, lossId] = node.inputs as [string, string];
  await downloadInputs(ctx, node.inputs);
  const values = noiseValues(ctx, source);
  const K = copiesOf(node);
  const P = values.length / K;
  const g = await ctx.kernels.matmul({ a: num(ctx, lossId), b: values, m: 1, k: K, n: P });
  const scale = (node.noiseScale ?? 1) / ((node.normaliser ?? 1) * ctx.options.sigma);
  return toF64(g).map((v) => v * scale);
}

export async function gradProduct(ctx: ExecContext, node: NodeOf<'GradProduct'>): Promise<void> {
  const out = node.outputs[0]!;
  if (node.space === 'weight') {
    ctx.env.set(out, await weightSpaceGradient(ctx, node));
    return;
  }
  const layer = paramDecl(ctx, node.layer);
  // (input, dL/dz), (input, copy-summed signals), or (input, noise, loss[, learned sigma]).
  const [xId, second, third] = gradProductInputs(node).operands as [string, string, string | undefined];
  const delta =
    third === undefined ? arg(ctx, second) : await errorSignalOf(ctx, node, second, third, node.noiseScale ?? 1);
  ctx.env.set(out, await layerProduct(ctx, node, layer, xId, delta, second));
}
