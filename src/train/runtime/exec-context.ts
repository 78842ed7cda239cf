// What the graph executor's node handlers share: the graph, the kernel table, the graph's parametrised-layer
// declarations by name (op, geometry, parameter counts, the RNG's layer word), the tensor
// environment keyed by tensor id (batchnorm statistics included), the raw losses, and the step's run
// values (sigma, seed, counters, learning rate). The method's rules are on the nodes.
// The environment holds host arrays or device handles (kernels/device-tensor.ts): handlers that only
// pass a tensor on to a kernel take it with `arg` (a handle stays on the device); host reads use
// `num` (sync; execute-graph.ts downloads a node's handle inputs first) or `hostNum` (downloads).
import { type DeviceTensor, isDeviceTensor, type Resident } from '../../../kernels/device-tensor.js';
import type { DeviceOps } from '../../../kernels/device-ops.js';
import type { KernelTable, NumArray } from '../../../kernels/names.js';
import { signUnpack } from '../../../kernels/reference/index.js';
import { elementCount } from '../../ir/graph.js';
import type { Graph, IrNode, ParamDecl } from '../../ir/types.js';
import type { OptimizerConfig } from './optimizer-state.js';
import type { DeviceKernels } from './resolve-kernels.js';
import type { DeviceConstants } from './device-constants.js';
import type { StepBuffers } from './step-buffers.js';

export type Tensor = NumArray | Uint32Array;
/** What the environment holds: a host tensor, or a float tensor left on the kernel backend's device. */
export type EnvValue = Tensor | DeviceTensor;

export interface ExecOptions {
  /** LR/ALR: noise std per output unit; ES/AES: per weight. */
  sigma: number;
  /** Learned sigma's step rate and floor (the sigma values are graph tensors); absent when sigma is fixed. */
  learnedSigma?: { lr: number; floor: number };
  seed: number;
  step: number;
  /** The first sample of this (micro-)batch within the step: LR/ALR noise rows start at firstSample * K. */
  firstSample: number;
  lr: number;
  optimizer: OptimizerConfig;
  /** Adam's t for this step's update (>= 1). */
  updateCount: number;
}

/** A batchnorm layer's statistics, as the kernels take them. */
export interface BnStats {
  mean: Float64Array;
  variance: Float64Array;
}

/** A statistics tensor ([2, channels]: means, then variances) as the kernels take it; `node` reads it. */
export function batchStats(ctx: ExecContext, id: string | undefined, node: IrNode): BnStats {
  if (id === undefined) throw new Error(`graph executor: ${node.kind} ${node.id} reads no batch statistics`);
  const all = toF64(num(ctx, id));
  const channels = all.length / 2;
  return { mean: all.subarray(0, channels), variance: all.subarray(channels) };
}

/** The statistics tensor's values: per channel means, then variances. */
export function packStats(stats: BnStats): Float64Array {
  const out = new Float64Array(2 * stats.mean.length);
  out.set(stats.mean);
  out.set(stats.variance, stats.mean.length);
  return out;
}

export interface ExecContext {
  graph: Graph;
  kernels: KernelTable;
  /** The same kernels run resident: float arguments may be handles, results may stay on the device. */
  device: DeviceKernels;
  /** The graph's parametrised-layer declarations by layer name. */
  params: Map<string, ParamDecl>;
  env: Map<string, EnvValue>;
  labels: Int32Array;
  /** Raw per-row losses of every Loss node, in execution order (handles where the step's state stays on the device). */
  losses: (Float64Array | DeviceTensor)[];
  /**
   * Present where the step's state stays on the device (resolve-kernels.ts `ops`): the handlers keep
   * losses, error signals, gradients and updates there, and slice parameter buffers there.
   */
  ops?: DeviceOps;
  /** Weights and biases sliced from a parameter buffer on the device, by tensor id (once per step). */
  slices?: Map<string, { weights: DeviceTensor; biases: Resident }>;
  /** Constant buffers made on the device and kept for the run (with `ops`; device-constants.ts). */
  constants?: DeviceConstants;
  /** The labels on the device, by row layout (uploaded once per step or chunk; exec-loss.ts). */
  deviceLabels?: Map<string, DeviceTensor>;
  options: ExecOptions;
  /** Host output arrays kept for a node's next run (step-buffers.ts); absent where nothing is reused. */
  buffers?: StepBuffers;
  /** When set, each node's measured time is added here (train --profile). */
  profile?: Map<string, { op: IrNode['kind']; ms: number; calls: number }>;
}

function floatValue(ctx: ExecContext, id: string): NumArray | DeviceTensor {
  const t = ctx.env.get(id);
  if (t === undefined) throw new Error(`graph executor: tensor ${id} is read before any node produced it`);
  if (t instanceof Uint32Array) {
    throw new Error(`graph executor: tensor ${id} holds sign bits, a float tensor was expected`);
  }
  return t;
}

/**
 * A float tensor's host values (a handle must have been downloaded: execute-graph.ts does it for host-reading
 * nodes).
 */
export function num(ctx: ExecContext, id: string): NumArray {
  const t = floatValue(ctx, id);
  if (!isDeviceTensor(t)) return t;
  if (t.downloaded) return t.downloaded;
  throw new Error(
    `graph executor: tensor ${id} is still on the ${t.backend} device; read it with hostNum, or pass it to a kernel with arg`,
  );
}

/** A float tensor for a kernel argument: a handle stays a handle. */
export function arg(ctx: ExecContext, id: string): Resident {
  return floatValue(ctx, id);
}

/** A float tensor's host values, downloading a handle once (the handle caches the copy). */
export async function hostNum(ctx: ExecContext, id: string): Promise<NumArray> {
  const t = floatValue(ctx, id);
  return isDeviceTensor(t) ? t.download() : t;
}

/** Downloads every handle among `ids` so that `num` can read them synchronously. */
export async function downloadInputs(ctx: ExecContext, ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    const t = ctx.env.get(id);
    if (isDeviceTensor(t)) await t.download();
  }
}

export function shapeOf(ctx: ExecContext, id: string): number[] {
  const info = ctx.graph.tensors[id];
  if (!info) throw new Error(`graph executor: tensor ${id} is not in graph ${ctx.graph.meta.network}`);
  return info.shape;
}

/**
 * Channels and spatial size of a tensor's per-row shape ([F] -> F x 1, [C, H, W] -> C x H*W). A token
 * sequence [T, F] is T*F channels of 1 position: each (token, feature) is a unit of its own (its noise
 * counter unit t*F + f), and a per-feature sigma is tiled over the tokens (sigmaOf).
 */
export function channelsSpatial(ctx: ExecContext, id: string): { rows: number; channels: number; spatial: number } {
  const shape = shapeOf(ctx, id);
  if (shape.length === 3) return { rows: shape[0]!, channels: shape[1]! * shape[2]!, spatial: 1 };
  const [rows, channels, ...rest] = shape;
  return { rows: rows!, channels: channels ?? 1, spatial: elementCount(rest) };
}

/** The layout a per-channel bias reads: a token sequence's rows are its tokens, its channels the features. */
export function featureLayout(ctx: ExecContext, id: string): { rows: number; channels: number; spatial: number } {
  const shape = shapeOf(ctx, id);
  if (shape.length === 3) return { rows: shape[0]! * shape[1]!, channels: shape[2]!, spatial: 1 };
  return channelsSpatial(ctx, id);
}

/** Whether a tensor holds sign bits on the device (16 per float: gpujs-device-ops.ts' sign words). */
export function isDeviceSigns(ctx: ExecContext, id: string): boolean {
  return isDeviceTensor(ctx.env.get(id)) && ctx.graph.tensors[id]?.dtype === 'bit';
}

/** A sign-bit tensor's words on the host: as stored, or joined from a downloaded device tensor's half-words. */
export function hostSigns(ctx: ExecContext, id: string): Uint32Array | undefined {
  const t = ctx.env.get(id);
  if (t instanceof Uint32Array) return t;
  if (!isDeviceSigns(ctx, id)) return undefined;
  const halves = num(ctx, id);
  return Uint32Array.from({ length: halves.length / 2 }, (_, j) => (halves[2 * j]! + halves[2 * j + 1]! * 65536) >>> 0);
}

/** A stored noise tensor as floats: eps itself, or +-1 unpacked from sign bits. */
export function noiseValues(ctx: ExecContext, id: string): Float64Array {
  const signs = hostSigns(ctx, id);
  if (signs) return signUnpack(signs, elementCount(shapeOf(ctx, id)));
  return toF64(num(ctx, id));
}

/**
 * One parameter set's weights and biases as kernel arguments: slices of a buffer kept on the device
 * (cut once per step), or undefined where the buffer is a host array (groupParams reads it).
 */
export async function deviceParams(
  ctx: ExecContext,
  id: string,
  layer: ParamDecl,
): Promise<{ weights: DeviceTensor; biases: Resident } | undefined> {
  const value = ctx.env.get(id);
  if (!ctx.ops || !isDeviceTensor(value)) return undefined;
  ctx.slices ??= new Map();
  let parts = ctx.slices.get(id);
  if (!parts) {
    const weights = await ctx.ops.slice(value, 0, layer.weights);
    // A layer without biases (class token, position table) has an empty bias part.
    const rest = value.length - layer.weights;
    parts = { weights, biases: rest === 0 ? new Float64Array(0) : await ctx.ops.slice(value, layer.weights, rest) };
    ctx.slices.set(id, parts);
  }
  return parts;
}

/**
 * `length` values, each `value`: made on the device once per run where the step's state stays there
 * (nothing is uploaded), else a host array.
 */
export function constantOf(ctx: ExecContext, length: number, value: number): Promise<Resident> | Float64Array {
  if (!ctx.ops || !ctx.constants) return new Float64Array(length).fill(value);
  return ctx.constants.get(ctx.ops, length, value);
}

/** The declaration of the parametrised layer a node names. */
export function paramDecl(ctx: ExecContext, name: string | undefined): ParamDecl {
  const hit = name === undefined ? undefined : ctx.params.get(name);
  if (!hit) {
    throw new Error(`graph executor: node names layer ${String(name)}, which the graph declares no parameters for`);
  }
  return hit;
}

/** K as the node declares it: the one place the runtime reads the copies (absent on the node: 1). */
export function copiesOf(node: IrNode): number {
  return node.copies ?? 1;
}

/** The noise counter's first row: sample-major rows are sample * K + copy; copy-major rows are the weight copies. */
export function noiseRowOffset(ctx: ExecContext, node: Extract<IrNode, { kind: 'NoiseInject' }>): number {
  return node.rowLayout === 'copy-major' ? 0 : ctx.options.firstSample * copiesOf(node);
}

export function toF64(a: NumArray): Float64Array {
  return a instanceof Float64Array ? a : Float64Array.from(a);
}
