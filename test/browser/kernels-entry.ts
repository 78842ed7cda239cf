// Browser entry of the kernel parity suite (bundled by kernels-page.ts with esbuild): runs every
// gpu.js kernel in the given mode on fixed shapes (sizes off any tile multiple, size-1 dims) and
// returns, per kernel, the worst |got - want| / (atol + rtol |want|) against the float64 reference
// and the gpu.js mode that actually ran; and the pipeline chain (runPipelineChain): intermediates
// kept on the GPU as gpu.js pipeline results. Not a test file itself.
import { Texture } from 'gpu.js';
import { type DeviceTensor, isDeviceTensor } from '../../kernels/device-tensor.js';
import { GpujsContext, type GpujsMode } from '../../kernels/gpujs/gpujs-context.js';
import { gpujsResidentTable, gpujsTable } from '../../kernels/gpujs/gpujs-table.js';
import type { KernelArgs, KernelName, NumArray } from '../../kernels/names.js';
import { referenceTable } from '../../kernels/registry-reference.js';

function data(length: number, seed: number): Float64Array {
  let s = seed;
  return Float64Array.from({ length }, () =>
    Math.fround((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 31 - 1),
  );
}

const conv = { batch: 2, inChannels: 3, height: 7, width: 5, outChannels: 4, kernelSize: 3, stride: 2, padding: 1 };
const pool = { rows: 2, channels: 3, height: 7, width: 5, size: 2, stride: 2 };
const noise = { rows: 5, channels: 3, spatial: 7, seed: 99, step: 4, layer: 2, rowOffset: 11 };
const CASES: { [K in KernelName]: KernelArgs[K] } = {
  matmul: { a: data(7 * 33, 1), b: data(33 * 1, 2), m: 7, k: 33, n: 1 },
  'matmul-at-b': { a: data(33 * 7, 3), b: data(33 * 5, 4), m: 7, k: 33, n: 5 },
  'matmul-a-bt': { a: data(1 * 17, 5), b: data(9 * 17, 6), m: 1, k: 17, n: 9 },
  conv2d: { x: data(2 * 3 * 7 * 5, 7), weights: data(4 * 3 * 9, 8), dims: conv },
  'bias-activation': { z: data(3 * 4 * 5, 9), bias: data(4, 10), rows: 3, channels: 4, spatial: 5, activation: 'tanh' },
  'activation-backward': { dy: data(3 * 4 * 5, 31), x: data(3 * 4 * 5, 32).map((v) => 3 * v), activation: 'silu' },
  'noise-inject': { z: data(5 * 3 * 7, 11), sigma: Float64Array.of(0.5, 1, 2), ...noise },
  'noise-inject-signs': { z: data(5 * 3 * 7, 11), sigma: Float64Array.of(0.5, 1, 2), ...noise },
  'sign-pack': { values: data(70, 12) },
  'lr-grad-product': {
    loss: data(9, 13),
    e: data(9 * 4, 14).map(Math.sign),
    x: data(9 * 6, 15),
    sigma: Float64Array.of(0.1, 0.2, 0.3, 0.4),
    rows: 9,
    outs: 4,
    ins: 6,
    scale: 0.125,
  },
  'softmax-cross-entropy': { logits: data(6 * 10, 16), labels: Int32Array.of(0, 9, 3, 3, 1, 7), rows: 6, classes: 10 },
  'row-sum': { x: data(4 * 37, 17), rows: 4, cols: 37 },
  'sgd-update': { w: data(33, 18), g: data(33, 19), v: data(33, 20), lr: Math.fround(0.1), momentum: Math.fround(0.9) },
  'adam-update': {
    w: data(33, 21),
    g: data(33, 22),
    m: data(33, 23),
    v: data(33, 24).map((x) => x * x),
    lr: Math.fround(0.01),
    beta1: Math.fround(0.9),
    beta2: Math.fround(0.999),
    eps: Math.fround(1e-8),
    t: 3,
  },
  batchnorm: {
    x: data(2 * 3 * 5, 25),
    gamma: data(3, 26),
    beta: data(3, 27),
    mean: data(3, 28),
    variance: data(3, 29).map((x) => x * x + 0.1),
    rows: 2,
    channels: 3,
    spatial: 5,
  },
  pool: { x: data(2 * 3 * 7 * 5, 30), op: 'max', dims: pool },
  'pool-backward': { dy: data(2 * 3 * 3 * 2, 31), x: data(2 * 3 * 7 * 5, 30), op: 'avg', dims: pool },
  add: { a: data(37, 32), b: data(37, 33) },
  'conv2d-backward-data': { dy: data(2 * 4 * 4 * 3, 34), weights: data(4 * 3 * 9, 8), dims: conv },
  'conv2d-backward-weights': { dy: data(2 * 4 * 4 * 3, 34), x: data(2 * 3 * 7 * 5, 7), dims: conv },
  'copy-sum': { x: data(3 * 4 * 5, 35), samples: 3, copies: 4, width: 5 },
  'batchnorm-backward': {
    dy: data(2 * 3 * 5, 36),
    gamma: data(3, 26),
    variance: data(3, 29).map((x) => x * x + 0.1),
    rows: 2,
    channels: 3,
    spatial: 5,
  },
  'loss-baseline': { loss: data(3 * 4, 37), samples: 3, copies: 4, baseline: 'leave-one-out', copyMajor: true },
  'softmax-gradient': { logits: data(6 * 10, 16), labels: Int32Array.of(0, 9, 3, 3, 1, 7), rows: 6, classes: 10 },
  'sigma-gradient': {
    eps: data(5 * 3 * 7, 38),
    loss: data(5, 39),
    sigma: Float64Array.of(0.5, 1, 2),
    rows: 5,
    channels: 3,
    spatial: 7,
    normaliser: 10,
  },
  layernorm: { x: data(5 * 7, 40), gamma: data(7, 41), beta: data(7, 42), rows: 5, features: 7, epsilon: 0.5 },
  'layernorm-backward': {
    dy: data(5 * 7, 43),
    x: data(5 * 7, 40),
    gamma: data(7, 41),
    rows: 5,
    features: 7,
    epsilon: 1e-6,
  },
  'layernorm-grad': { dy: data(5 * 7, 43), x: data(5 * 7, 40), rows: 5, features: 7, epsilon: 0.5 },
  'batch-matmul': { a: data(3 * 5 * 4, 44), b: data(3 * 4 * 6, 45), groups: 3, m: 5, k: 4, n: 6, transpose: 'a' },
  'softmax-rows': { x: data(2 * 5 * 5, 46), rows: 10, width: 5, scale: 0.5, causal: true },
  'softmax-rows-backward': { dy: data(6 * 5, 47), p: data(6 * 5, 48).map(Math.abs), rows: 6, width: 5, scale: 0.5 },
  gather: { x: data(9, 49), index: Int32Array.of(3, -1, 0, 8, 8, 2), scale: 0.5 },
};

/**
 * Relative tolerance 1e-4 with absolute floor 1e-5, except noise-inject: WGSL and GLSL only promise
 * cos to an absolute 2^-11 (WGSL spec, accuracy of built-ins), so eps may differ by r 2^-11 with the
 * Box-Muller radius r <= 5.8 for 24-bit uniforms; the floor there is sigma_max 5.8 2^-11.
 */
function worst(got: unknown, want: unknown, atol = 1e-5): number {
  if (got instanceof Uint32Array) return Array.from(got).every((v, i) => v === (want as Uint32Array)[i]) ? 0 : Infinity;
  if (ArrayBuffer.isView(got)) {
    const g = got as NumArray;
    const w = want as NumArray;
    if (g.length !== w.length) return Infinity;
    let r = 0;
    for (let i = 0; i < w.length; i++) r = Math.max(r, Math.abs(g[i]! - w[i]!) / (atol + 1e-4 * Math.abs(w[i]!)));
    return Number.isNaN(r) ? Infinity : r;
  }
  const g = got as Record<string, unknown>;
  return Math.max(...Object.keys(g).map((k) => worst(g[k], (want as Record<string, unknown>)[k], atol)));
}

export async function runKernelParity(
  mode: GpujsMode,
): Promise<{ kernel: string; ratio: number; ran: string[]; error?: string }[]> {
  const ctx = new GpujsContext(mode);
  const table = gpujsTable(ctx);
  const out = [];
  for (const name of Object.keys(CASES) as KernelName[]) {
    try {
      const got = await (table[name] as (a: unknown) => Promise<unknown>)(CASES[name]);
      const want = await (referenceTable[name] as (a: unknown) => Promise<unknown>)(CASES[name]);
      out.push({
        kernel: name,
        ratio: worst(got, want, name.startsWith('noise-inject') ? 2 * 5.8 * 2 ** -11 : 1e-5),
        ran: ctx.takeRanModes(),
      });
    } catch (err) {
      out.push({ kernel: name, ratio: Infinity, ran: ctx.takeRanModes(), error: String(err) });
    }
  }
  await ctx.destroy();
  return out;
}

export interface PipelineChainResult {
  /** Whether each intermediate was a handle over a gpu.js pipeline result, and what that result is. */
  handles: { isHandle: boolean; texture: boolean; kind: string }[];
  ratio: number;
  ran: string[];
  /** Median ms of the chain with intermediates on the GPU (one final readback) and with a readback and upload between kernels. */
  pipelineMs: number;
  hostMs: number;
}

const chain = { m: 64, k: 300, h: 128, n: 10 };

/** matmul-a-bt -> bias-activation (relu) -> matmul-a-bt, resident (pipeline) and on host arrays, against the float64 reference. */
export async function runPipelineChain(mode: GpujsMode): Promise<PipelineChainResult> {
  const { m, k, h, n } = chain;
  const [x, w1, b1, w2] = [data(m * k, 41), data(h * k, 42), data(h, 43), data(n * h, 44)];
  const ctx = new GpujsContext(mode);
  const resident = gpujsResidentTable(ctx);
  const host = gpujsTable(ctx);
  const onGpu = async (): Promise<{ out: Float32Array; mid: DeviceTensor[] }> => {
    const z = await resident['matmul-a-bt']!({ a: x, b: w1, m, k, n: h });
    const act = await resident['bias-activation']!({
      z,
      bias: b1,
      rows: m,
      channels: h,
      spatial: 1,
      activation: 'relu',
    });
    const out = await resident['matmul-a-bt']!({ a: act, b: w2, m, k: h, n });
    const mid = [z, act, out].filter(isDeviceTensor);
    const values = isDeviceTensor(out) ? await out.download() : (out as Float32Array);
    return { out: values, mid };
  };
  const onHost = async (): Promise<Float32Array> => {
    const z = await host['matmul-a-bt']({ a: x, b: w1, m, k, n: h });
    const act = await host['bias-activation']({ z, bias: b1, rows: m, channels: h, spatial: 1, activation: 'relu' });
    return (await host['matmul-a-bt']({ a: act, b: w2, m, k: h, n })) as Float32Array;
  };
  const first = await onGpu();
  const handles = [0, 1].map((i) => {
    const t = first.mid[i];
    const native = t ? (t.native as { constructor: { name: string } }) : undefined;
    return {
      isHandle: t !== undefined,
      texture: native instanceof Texture,
      kind: native?.constructor.name ?? 'host array',
    };
  });
  const ref = referenceTable;
  const rz = await ref['matmul-a-bt']({ a: x, b: w1, m, k, n: h });
  const ra = await ref['bias-activation']({ z: rz, bias: b1, rows: m, channels: h, spatial: 1, activation: 'relu' });
  const want = await ref['matmul-a-bt']({ a: ra, b: w2, m, k: h, n });
  const ratio = worst(first.out, want);
  first.mid.forEach((t) => t.dispose());
  const ran = ctx.takeRanModes();
  await onHost();
  const time = async (fn: () => Promise<unknown>): Promise<number> => {
    const ts: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await fn();
      ts.push(performance.now() - t0);
    }
    return ts.sort((p, q) => p - q)[2]!;
  };
  const pipelineMs = await time(async () => (await onGpu()).mid.forEach((t) => t.dispose()));
  const hostMs = await time(onHost);
  await ctx.destroy();
  return { handles, ratio, ran, pipelineMs, hostMs };
}

(globalThis as unknown as { runKernelParity: typeof runKernelParity }).runKernelParity = runKernelParity;
(globalThis as unknown as { runPipelineChain: typeof runPipelineChain }).runPipelineChain = runPipelineChain;
