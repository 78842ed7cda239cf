// One row block of a split kernel call, computed the same way on the main thread and in a pool
// worker (tfjs-pool-task.ts): matmul and its transposed forms by rows of the output, the LR/ALR
// gradient product by output units, conv2d by images, noise injection by rows. Each block runs
// the very TF.js ops the unsplit kernel runs (tfjs-table.ts) on a sub-range, and XNNPACK computes an
// output row from its own input row alone, so a split result equals the unsplit one bit for bit
// (test/unit/tfjs-worker-pool.test.ts checks it). Also the messages that carry a block to a worker:
// arrays travel as regions of one SharedArrayBuffer, never as copies. Not the scheduler (tfjs-split.ts).
import type * as TfCore from '@tensorflow/tfjs-core';
import { injectRows } from '../host-noise.js';
import type { ConvDims, NoiseInjectArgs, NumArray } from '../names.js';

type Tf = typeof TfCore;
const f32 = (a: NumArray): Float32Array => (a instanceof Float32Array ? a : Float32Array.from(a));

/** An array inside the shared buffer: byte offset, element count, and element type. */
export interface Region {
  offset: number;
  length: number;
  f64: boolean;
}

export type MatmulVariant = 'matmul' | 'matmul-at-b' | 'matmul-a-bt';
type NoiseCounters = Omit<NoiseInjectArgs, 'z' | 'sigma'>;

/** A block for a worker; r0..r1 are output rows (matmul), output units (lr-grad), images (conv2d) or rows (noise). */
export type BlockTask = { buffer: SharedArrayBuffer; r0: number; r1: number } & (
  | { kind: 'matmul'; variant: MatmulVariant; a: Region; b: Region; out: Region; m: number; k: number; n: number }
  | { kind: 'lr-grad'; loss: Region; e: Region; x: Region; sigma: Region; outW: Region; outB: Region; rows: number; outs: number; ins: number; scale: number }
  | { kind: 'conv2d'; x: Region; weights: Region; out: Region; dims: ConvDims }
  | { kind: 'noise'; z: Region; sigma: Region; out: Region; signs: Region | null; counters: NoiseCounters }
);

/** A typed view of a region (Float64 when it holds float64 data, else Float32). */
export function view(buffer: SharedArrayBuffer, r: Region): Float32Array | Float64Array {
  return r.f64 ? new Float64Array(buffer, r.offset, r.length) : new Float32Array(buffer, r.offset, r.length);
}

function read(tf: Tf, fn: () => TfCore.Tensor): Float32Array {
  const t = tf.tidy(fn);
  const out = t.dataSync() as Float32Array;
  t.dispose();
  return out;
}

/** Rows r0..r1 of a matmul-family output ((r1 - r0) x n); explicit transposes as in tfjs-table.ts. */
export function matmulRows(tf: Tf, variant: MatmulVariant, p: { a: NumArray; b: NumArray; m: number; k: number; n: number }, r0: number, r1: number): Float32Array {
  const { a, b, m, k, n } = p;
  const rows = r1 - r0;
  return read(tf, () => {
    const at = variant === 'matmul-at-b' ? tf.transpose(tf.slice(tf.tensor2d(f32(a), [k, m]), [0, r0], [k, rows])) : tf.tensor2d(f32(a.subarray(r0 * k, r1 * k)), [rows, k]);
    const bt = variant === 'matmul-a-bt' ? tf.transpose(tf.tensor2d(f32(b), [n, k])) : tf.tensor2d(f32(b), [k, n]);
    return tf.matMul(at, bt);
  });
}

/** Output units o0..o1 of lr-grad-product: weights ((o1 - o0) x ins) and biases (o1 - o0); same ops as the unsplit kernel on a column slice of e. */
export function lrGradUnits(
  tf: Tf,
  p: { loss: NumArray; e: NumArray; x: NumArray; sigma: NumArray; rows: number; outs: number; ins: number; scale: number },
  o0: number,
  o1: number,
): { weights: Float32Array; biases: Float32Array } {
  const units = o1 - o0;
  const [w, bias] = tf.tidy(() => {
    const e = tf.slice(tf.tensor2d(f32(p.e), [p.rows, p.outs]), [0, o0], [p.rows, units]);
    const coef = tf.mul(tf.tensor2d(f32(p.loss), [p.rows, 1]), e);
    const perOut = tf.div(tf.scalar(p.scale), tf.tensor1d(f32(p.sigma.subarray(o0, o1))));
    const weights = tf.mul(tf.matMul(tf.transpose(coef), tf.tensor2d(f32(p.x), [p.rows, p.ins])), tf.reshape(perOut, [units, 1]));
    return [weights, tf.mul(tf.sum(coef, 0), perOut)];
  });
  const out = { weights: w!.dataSync() as Float32Array, biases: bias!.dataSync() as Float32Array };
  w!.dispose();
  bias!.dispose();
  return out;
}

/** Images i0..i1 of an NCHW conv2d, as in tfjs-table.ts. */
export function conv2dImages(tf: Tf, p: { x: NumArray; weights: NumArray; dims: ConvDims }, i0: number, i1: number): Float32Array {
  const d = p.dims;
  const image = d.inChannels * d.height * d.width;
  return read(tf, () => {
    const xt = tf.transpose(tf.tensor4d(f32(p.x.subarray(i0 * image, i1 * image)), [i1 - i0, d.inChannels, d.height, d.width]), [0, 2, 3, 1]);
    const wt = tf.transpose(tf.tensor4d(f32(p.weights), [d.outChannels, d.inChannels, d.kernelSize, d.kernelSize]), [2, 3, 1, 0]);
    const pad: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [d.padding, d.padding], [d.padding, d.padding], [0, 0]];
    return tf.transpose(tf.conv2d(xt, wt, d.stride, pad), [0, 3, 1, 2]);
  });
}

/** Runs one block task against the shared buffer, writing its results there (the worker side). */
export function runBlock(tf: Tf, t: BlockTask): void {
  const v = (r: Region): Float32Array | Float64Array => view(t.buffer, r);
  switch (t.kind) {
    case 'matmul':
      v(t.out).set(matmulRows(tf, t.variant, { a: v(t.a), b: v(t.b), m: t.m, k: t.k, n: t.n }, t.r0, t.r1), t.r0 * t.n);
      return;
    case 'lr-grad': {
      const r = lrGradUnits(tf, { loss: v(t.loss), e: v(t.e), x: v(t.x), sigma: v(t.sigma), rows: t.rows, outs: t.outs, ins: t.ins, scale: t.scale }, t.r0, t.r1);
      v(t.outW).set(r.weights, t.r0 * t.ins);
      v(t.outB).set(r.biases, t.r0);
      return;
    }
    case 'conv2d': {
      const out = conv2dImages(tf, { x: v(t.x), weights: v(t.weights), dims: t.dims }, t.r0, t.r1);
      v(t.out).set(out, t.r0 * out.length / (t.r1 - t.r0));
      return;
    }
    case 'noise': {
      const signs = t.signs === null ? null : new Uint32Array(t.buffer, t.signs.offset, t.signs.length);
      const units = t.counters.channels * t.counters.spatial;
      // The block owns whole sign words (row-blocks.ts granule); clear them, as the buffer is reused.
      signs?.fill(0, (t.r0 * units) >>> 5, Math.ceil((t.r1 * units) / 32));
      injectRows({ ...t.counters, z: v(t.z), sigma: v(t.sigma) }, t.r0, t.r1, v(t.out) as Float32Array, signs);
      return;
    }
    default:
      return t satisfies never;
  }
}
