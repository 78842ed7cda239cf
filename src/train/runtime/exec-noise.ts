// Graph-executor handlers of NoiseInject and SignPack. The noise of a node is drawn by the backend's
// noise-inject kernel for the counter (seed, step, layer word, row, unit) that kernels/rng.ts uses;
// the layer word is the stream the graph declares for the layer. LR/ALR rows are sample*K + copy over
// the layer's output units; ES/AES rows are the K copies over the layer's parameters (weights first,
// then biases): the node's row layout says which. A copy-invariant input (N rows) is broadcast to N*K
// rows here, as the fold pass intends. Antithetic pairs (the node's switch) are adjacent rows (2j,
// 2j+1) in both layouts, as in rng.ts: copies 2j and 2j+1 of one sample (rows n*K + k), or weight
// copies 2j and 2j+1; K must be even. Sigma is the run's scalar, or the layer's learned vector where
// the node reads that tensor.
import { addNoise } from '../../../kernels/reference/index.js';
import { InvalidInputError } from '../../errors.js';
import { elementCount } from '../../ir/graph.js';
import type { IrNode } from '../../ir/types.js';
import {
  arg,
  copiesOf,
  channelsSpatial,
  constantOf,
  downloadInputs,
  hostNum,
  noiseRowOffset,
  num,
  paramDecl,
  shapeOf,
  toF64,
  type ExecContext,
} from './exec-context.js';
import { makeAntithetic } from './host-ops.js';
import type { NumArray } from '../../../kernels/names.js';
import { isDeviceTensor, type Resident } from '../../../kernels/device-tensor.js';

type NodeOf<K extends IrNode['kind']> = Extract<IrNode, { kind: K }>;

/**
 * The noise std per output channel a node uses: the learned sigma it reads (an input the graph declares as a
 * sigma port), else the run's scalar.
 */
export function sigmaOf(ctx: ExecContext, node: IrNode, channels: number): Float64Array {
  const id = ctx.graph.inputs.find((p) => p.role === 'sigma' && node.inputs.includes(p.tensor))?.tensor;
  if (id === undefined) return new Float64Array(channels).fill(ctx.options.sigma);
  const learned = toF64(num(ctx, id));
  // A token sequence's channels are its tokens' features (channelsSpatial): the layer's sigma repeats per token.
  if (learned.length < channels && channels % learned.length === 0)
    return Float64Array.from({ length: channels }, (_, c) => learned[c % learned.length]!);
  if (learned.length !== channels) {
    throw new Error(`graph executor: layer ${node.layer} has ${learned.length} sigma values for ${channels} channels`);
  }
  return learned;
}

/** sigmaOf where a learned sigma may be held on the device (resident steps): it is read back first. */
export async function hostSigmaOf(ctx: ExecContext, node: IrNode, channels: number): Promise<Float64Array> {
  const id = ctx.graph.inputs.find((p) => p.role === 'sigma' && node.inputs.includes(p.tensor))?.tensor;
  if (id !== undefined) await downloadInputs(ctx, [id]);
  return sigmaOf(ctx, node, channels);
}

/**
 * sigmaOf as a resident kernel argument: a fixed sigma is a constant kept on the device where the step's
 * state stays there (no upload per call); a learned one is read as sigmaOf reads it.
 */
export async function residentSigma(ctx: ExecContext, node: IrNode, channels: number): Promise<Resident> {
  const learned = ctx.graph.inputs.find((p) => p.role === 'sigma' && node.inputs.includes(p.tensor))?.tensor;
  if (learned === undefined) return constantOf(ctx, channels, ctx.options.sigma);
  const held = ctx.env.get(learned);
  // A learned sigma held on the device is read there where it has one value per channel.
  return isDeviceTensor(held) && held.length === channels ? held : hostSigmaOf(ctx, node, channels);
}

/** Antithetic pairs need an even number of copies (rows 2j and 2j + 1 are a pair). */
export function checkAntitheticCopies(node: NodeOf<'NoiseInject'>, copies: number): void {
  if ((node.antithetic ?? false) && copies % 2 !== 0)
    throw new InvalidInputError(
      `layer ${String(node.layer)}: antithetic pairs need an even number of copies; found K = ${copies}. Hint: use K = ${copies + 1}`,
    );
}

/** Standard normal noise of a layer, rows x units, from the counter RNG (regenerating gives the same values). */
export async function drawEps(
  ctx: ExecContext,
  node: NodeOf<'NoiseInject'>,
  rows: number,
  units: number,
): Promise<Float64Array> {
  const eps = toF64(await drawKernelEps(ctx, node, rows, units));
  return node.antithetic ? makeAntithetic(eps, rows, units) : eps;
}

/**
 * drawEps in the noise kernel's own float type (float32 on the CPU backends: they round eps once,
 * as the kernel returns it), with no antithetic pairs formed.
 */
async function drawKernelEps(
  ctx: ExecContext,
  node: NodeOf<'NoiseInject'>,
  rows: number,
  units: number,
): Promise<NumArray> {
  const layerName = node.layer;
  const { stream } = paramDecl(ctx, layerName);
  const { seed, step } = ctx.options;
  checkAntitheticCopies(node, copiesOf(node));
  const reuse = ctx.buffers?.take(ctx.graph, node, ctx.options.firstSample, 'eps');
  // z is one row of zeros read by every row (copies = rows): no rows x units zeros to allocate and scan.
  const eps = await ctx.kernels['noise-inject']({
    ...(reuse ? { reuse } : {}),
    z: new Float32Array(rows > 0 ? units : 0),
    copies: Math.max(rows, 1),
    sigma: Float64Array.of(1),
    rows,
    channels: 1,
    spatial: units,
    seed,
    step,
    layer: stream,
    rowOffset: noiseRowOffset(ctx, node),
  });
  if (eps instanceof Float32Array) ctx.buffers?.keep(ctx.graph, node, ctx.options.firstSample, 'eps', { out: eps });
  return eps;
}

/** The second output, when the node keeps its noise: floats, or sign bits (fused sign pack). */
async function keepNoise(ctx: ExecContext, id: string | undefined, eps: NumArray): Promise<void> {
  if (id === undefined) return;
  ctx.env.set(id, ctx.graph.tensors[id]?.dtype === 'bit' ? await ctx.kernels['sign-pack']({ values: eps }) : eps);
}

/**
 * ALR's fused NoiseInject + SignPack: one `noise-inject-signs` call gives z + sigma * eps and the
 * packed signs of eps, so the float noise is never materialised (antithetic pairs and weight-space
 * noise keep the general path below). Returns false when the node is not of that form.
 */
async function injectKeepingSigns(ctx: ExecContext, node: NodeOf<'NoiseInject'>): Promise<boolean> {
  const [out, keep] = node.outputs;
  if (
    node.inputs.length === 0 ||
    node.rowLayout === 'copy-major' ||
    node.antithetic ||
    keep === undefined ||
    ctx.graph.tensors[keep]?.dtype !== 'bit'
  )
    return false;
  // Resident steps read a learned sigma where it is held (residentSigma).
  if (!ctx.ops) await downloadInputs(ctx, node.inputs.slice(1));
  const rows = shapeOf(ctx, out!)[0]!;
  const zId = node.inputs[0]!;
  const zRows = shapeOf(ctx, zId)[0]!;
  const dims = channelsSpatial(ctx, out!);
  // On the host a copy-invariant z (N rows) is read by its K copies through the kernel's `copies`.
  const hostCopies = zRows !== rows && !ctx.ops;
  const args = {
    z:
      zRows === rows
        ? arg(ctx, zId)
        : hostCopies
          ? await hostNum(ctx, zId)
          : await repeatedZ(ctx, zId, zRows, copiesOf(node)),
    ...(hostCopies ? { copies: rows / zRows } : {}),
    sigma: await residentSigma(ctx, node, dims.channels),
    ...dims,
    seed: ctx.options.seed,
    step: ctx.options.step,
    layer: paramDecl(ctx, node.layer).stream,
    rowOffset: noiseRowOffset(ctx, node),
  };
  // The step's state on the device: the sign words stay there too (16 signs per float).
  if (ctx.ops) {
    ctx.env.set(out!, await ctx.device['noise-inject'](args));
    ctx.env.set(keep, (await ctx.ops.signWords(args)).halves);
    return true;
  }
  // Resident: z stays on the device and so does the noisy output; only the sign words reach the host.
  const { graph, buffers, options } = ctx;
  const reuse = buffers?.take(graph, node, options.firstSample, 'signed');
  const r = await ctx.device['noise-inject-signs'](reuse ? { ...args, reuse } : args);
  ctx.env.set(out!, r.out);
  ctx.env.set(keep, r.signs);
  if (r.out instanceof Float32Array)
    buffers?.keep(graph, node, options.firstSample, 'signed', { out: r.out, signs: r.signs });
  return true;
}

/** A copy-invariant input's rows repeated K times on the device (the step's state stays there). */
async function repeatedZ(ctx: ExecContext, zId: string, zRows: number, copies: number): Promise<Resident> {
  if (!ctx.ops) throw new Error(`graph executor: ${zId} repeated on the device without device ops`);
  return ctx.ops.repeatRows(arg(ctx, zId), zRows, copies);
}

/**
 * addNoise(repeatRows(z, zRows, K), eps, sigma, ...) in one pass, without the repeated copy of z:
 * out[r, c, s] = z[r / K, c, s] + sigma[c] * eps[r, c, s], the same float64 arithmetic, stored in
 * `out` (a Float32Array rounds each sum once).
 */
function addNoiseRepeated<T extends Float32Array | Float64Array>(
  z: Float64Array,
  copies: number,
  eps: NumArray,
  sigma: Float64Array,
  dims: { rows: number; channels: number; spatial: number },
  out: T,
): T {
  const { rows, channels, spatial } = dims;
  const bad = sigma.findIndex((s) => !(s > 0));
  if (bad >= 0)
    throw new InvalidInputError(
      `addNoise: sigma[${bad}] = ${sigma[bad]}; allowed: > 0. Hint: use a small positive sigma such as 0.1`,
    );
  const units = channels * spatial;
  if (out instanceof Float32Array && eps instanceof Float32Array && sigma.every((v) => v === sigma[0]))
    return addUniformNoise32(z, copies, eps, sigma[0]!, rows, units, out) as T;
  // sigma[c] spread over its channel's units: one flat loop per row (a dense layer has spatial 1, and a
  // loop per channel there ran one element per trip).
  const unitSigma = new Float64Array(units);
  for (let c = 0; c < channels; c++) unitSigma.fill(sigma[c]!, c * spatial, (c + 1) * spatial);
  for (let r = 0; r < rows; r++) {
    const zBase = Math.floor(r / copies) * units;
    const base = r * units;
    for (let u = 0; u < units; u++) out[base + u] = z[zBase + u]! + unitSigma[u]! * eps[base + u]!;
  }
  return out;
}

/**
 * addNoiseRepeated for float32 eps and output and one sigma for every unit (the runtime's fixed
 * sigma): the same float64 sums, z + sigma * eps, each rounded once into `out`, in a loop typed for
 * those arrays (MLP LR's 4096 x 256, measured alone: 1.9 -> 1.5 ms of CPU; unrolled by four, 0.94).
 */
function addUniformNoise32(
  z: Float64Array,
  copies: number,
  eps: Float32Array,
  sigma: number,
  rows: number,
  units: number,
  out: Float32Array,
): Float32Array {
  // Four units a trip where rows are whole blocks of four (1.3 -> 0.94 ms alone at 4096 x 256): the same sums.
  const step = units % 4 === 0 ? 4 : 1;
  for (let r = 0; r < rows; r++) {
    const zBase = Math.floor(r / copies) * units;
    const base = r * units;
    if (step === 4)
      for (let u = 0; u < units; u += 4) {
        out[base + u] = z[zBase + u]! + sigma * eps[base + u]!;
        out[base + u + 1] = z[zBase + u + 1]! + sigma * eps[base + u + 1]!;
        out[base + u + 2] = z[zBase + u + 2]! + sigma * eps[base + u + 2]!;
        out[base + u + 3] = z[zBase + u + 3]! + sigma * eps[base + u + 3]!;
      }
    else for (let u = 0; u < units; u++) out[base + u] = z[zBase + u]! + sigma * eps[base + u]!;
  }
  return out;
}

/**
 * LR's NoiseInject on the device (the step's state stays there): the noisy output, and the float
 * noise it keeps drawn again by the same counters (noise-inject on zeros with sigma 1). Returns false
 * when the node is not of that form (no input, copy-major, antithetic, or sign bits kept).
 */
async function injectOnDevice(ctx: ExecContext, node: NodeOf<'NoiseInject'>): Promise<boolean> {
  const [out, keep] = node.outputs;
  if (!ctx.ops || node.inputs.length > 2 || node.rowLayout === 'copy-major' || node.antithetic) return false;
  if (keep !== undefined && ctx.graph.tensors[keep]?.dtype === 'bit') return false;
  const dims = channelsSpatial(ctx, out!);
  const counters = {
    ...dims,
    seed: ctx.options.seed,
    step: ctx.options.step,
    layer: paramDecl(ctx, node.layer).stream,
    rowOffset: noiseRowOffset(ctx, node),
  };
  const zeros = await constantOf(ctx, dims.rows * dims.channels * dims.spatial, 0);
  const ones = await constantOf(ctx, dims.channels, 1);
  // A node with no input regenerates the layer's float noise after the loss (learned sigma's gradient).
  if (node.inputs.length === 0) {
    ctx.env.set(out!, await ctx.device['noise-inject']({ z: zeros, sigma: ones, ...counters }));
    return true;
  }
  const rows = shapeOf(ctx, out!)[0]!;
  const zId = node.inputs[0]!;
  const zRows = shapeOf(ctx, zId)[0]!;
  const z = zRows === rows ? arg(ctx, zId) : await repeatedZ(ctx, zId, zRows, copiesOf(node));
  const sigma = await residentSigma(ctx, node, dims.channels);
  ctx.env.set(out!, await ctx.device['noise-inject']({ z, sigma, ...counters }));
  if (keep !== undefined) ctx.env.set(keep, await ctx.device['noise-inject']({ z: zeros, sigma: ones, ...counters }));
  return true;
}

export async function noiseInject(ctx: ExecContext, node: NodeOf<'NoiseInject'>): Promise<void> {
  if (await injectKeepingSigns(ctx, node)) return;
  if (await injectOnDevice(ctx, node)) return;
  await downloadInputs(ctx, node.inputs);
  const out = node.outputs[0]!;
  const [rows, ...unitShape] = shapeOf(ctx, out);
  const units = elementCount(unitShape);
  const drawn = await drawKernelEps(ctx, node, rows!, units);
  if (drawn instanceof Float32Array && (await injectFloat32(ctx, node, drawn))) return;
  const eps = node.antithetic ? makeAntithetic(toF64(drawn), rows!, units) : toF64(drawn);
  if (node.inputs.length === 0) {
    ctx.env.set(out, eps);
    return;
  }
  const z = toF64(num(ctx, node.inputs[0]!));
  const { sigma } = ctx.options;
  if (node.rowLayout === 'copy-major') {
    // K perturbed copies of the parameter vector: theta + sigma * eps_k.
    ctx.env.set(
      out,
      Float64Array.from(eps, (e, i) => z[i % units]! + sigma * e),
    );
  } else {
    const zRows = shapeOf(ctx, node.inputs[0]!)[0]!;
    const dims = channelsSpatial(ctx, out);
    const sigmas = await hostSigmaOf(ctx, node, dims.channels);
    ctx.env.set(
      out,
      zRows === rows
        ? addNoise(z, eps, sigmas, dims.rows, dims.channels, dims.spatial)
        : addNoiseRepeated(z, copiesOf(node), eps, sigmas, dims, new Float64Array(eps.length)),
    );
  }
  await keepNoise(ctx, node.outputs[1], eps);
}

/**
 * LR's NoiseInject where the noise kernel returned float32 eps (the CPU backends: tfjs-wasm, gpu.js
 * CPU modes): the noisy output is stored as float32 (each value the float64 z + sigma * eps rounded
 * once, the value the next kernel uploads) and the float32 eps is kept as it came, with no float64
 * copies of either (three 8-byte arrays of N*K x units per layer and step). Returns false for other
 * nodes (no input, copy-major, antithetic, sign bits kept), which take the float64 path.
 */
async function injectFloat32(ctx: ExecContext, node: NodeOf<'NoiseInject'>, eps: Float32Array): Promise<boolean> {
  const [out, keep] = node.outputs;
  if (node.inputs.length !== 1 || node.rowLayout === 'copy-major' || node.antithetic) return false;
  if (keep !== undefined && ctx.graph.tensors[keep]?.dtype === 'bit') return false;
  const rows = shapeOf(ctx, out!)[0]!;
  const dims = channelsSpatial(ctx, out!);
  const zRows = shapeOf(ctx, node.inputs[0]!)[0]!;
  const z = toF64(num(ctx, node.inputs[0]!));
  const sigmas = sigmaOf(ctx, node, dims.channels);
  const { graph, buffers, options } = ctx;
  const kept = buffers?.take(graph, node, options.firstSample, 'noisy')?.out;
  const noisy = kept?.length === eps.length ? kept : new Float32Array(eps.length);
  ctx.env.set(out!, addNoiseRepeated(z, rows / zRows, eps, sigmas, dims, noisy));
  buffers?.keep(graph, node, options.firstSample, 'noisy', { out: noisy });
  await keepNoise(ctx, keep, eps);
  return true;
}

export async function signPack(ctx: ExecContext, node: NodeOf<'SignPack'>): Promise<void> {
  ctx.env.set(node.outputs[0]!, await ctx.kernels['sign-pack']({ values: num(ctx, node.inputs[0]!) }));
}
