// The `reference` backend: every registry kernel expressed through the float64 reference kernels
// (kernels/reference) and the counter-based RNG (kernels/rng.ts). It is the oracle the
// parity tests compare every other backend against, so it only adapts argument shapes: the
// arithmetic is the reference kernels' own. The optimizer updates are written out here in float64
// because they are one line each and the registry's contract fixes their formulas (names.ts).
import { withRepeatedZ } from './noise-copies.js';
import { fillNormals } from './rng.js';
import type { KernelTable, NumArray } from './names.js';
import * as ref from './reference/index.js';
import { graphReferenceKernels } from './registry-reference-graph.js';
import { stepOpReferenceKernels } from './registry-reference-step.js';
import { tokenReferenceKernels } from './registry-reference-token.js';

const f64 = (a: NumArray | Int32Array): Float64Array => (a instanceof Float64Array ? a : Float64Array.from(a));

/** The reference noise buffer [rows, channels*spatial] for a noise-inject call (rng.ts's draws, block-generated). */
export function referenceNoise(a: {
  rows: number;
  channels: number;
  spatial: number;
  seed: number;
  step: number;
  layer: number;
  rowOffset: number;
}): Float64Array {
  const units = a.channels * a.spatial;
  const eps = new Float64Array(a.rows * units);
  fillNormals(eps, { seed: a.seed, step: a.step, layer: a.layer, rowOffset: a.rowOffset, rows: a.rows, units });
  return eps;
}

export const referenceTable: KernelTable = {
  matmul: async ({ a, b, m, k, n }) => ref.matmul(f64(a), f64(b), m, k, n),
  'matmul-at-b': async ({ a, b, m, k, n }) => ref.matmul(ref.transpose(f64(a), k, m), f64(b), m, k, n),
  'matmul-a-bt': async ({ a, b, m, k, n }) => ref.matmul(f64(a), ref.transpose(f64(b), n, k), m, k, n),
  conv2d: async ({ x, weights, dims }) => ref.conv2d(f64(x), f64(weights), dims),
  'bias-activation': async ({ z, bias, rows, channels, spatial, activation }) => {
    const pre = ref.biasAdd(f64(z), f64(bias), rows, channels, spatial);
    return activation === 'none' ? pre : ref.activation(activation, pre);
  },
  'activation-backward': async ({ dy, x, activation }) => ref.activationBackward(activation, f64(dy), f64(x)),
  'noise-inject': async (call) => {
    const a = withRepeatedZ(call);
    return ref.addNoise(f64(a.z), referenceNoise(a), f64(a.sigma), a.rows, a.channels, a.spatial);
  },
  'noise-inject-signs': async (call) => {
    const a = withRepeatedZ(call);
    const eps = referenceNoise(a);
    return { out: ref.addNoise(f64(a.z), eps, f64(a.sigma), a.rows, a.channels, a.spatial), signs: ref.signPack(eps) };
  },
  'sign-pack': async ({ values }) => ref.signPack(values),
  'lr-grad-product': async ({ loss, e, x, sigma, rows, outs, ins, scale }) => {
    const delta = ref.errorSignal(f64(loss), f64(e), f64(sigma), { rows, channels: outs, spatial: 1 }, scale);
    return ref.lrGradient(delta, f64(x), rows, outs, ins, 1);
  },
  'softmax-cross-entropy': async ({ logits, labels, rows, classes }) =>
    ref.softmaxCrossEntropy(f64(logits), labels, rows, classes).losses,
  // A row sum is a channel sum with one "row", the rows as channels and the columns as spatial.
  'row-sum': async ({ x, rows, cols }) => ref.channelSum(f64(x), 1, rows, cols),
  'sgd-update': async ({ w, g, v, lr, momentum }) => {
    const v1 = f64(v).map((vi, i) => momentum * vi + g[i]!);
    return { w: f64(w).map((wi, i) => wi - lr * v1[i]!), v: v1 };
  },
  'adam-update': async ({ w, g, m, v, lr, beta1, beta2, eps, t }) => {
    const m1 = f64(m).map((mi, i) => beta1 * mi + (1 - beta1) * g[i]!);
    const v1 = f64(v).map((vi, i) => beta2 * vi + (1 - beta2) * g[i]! * g[i]!);
    const c1 = 1 - beta1 ** t;
    const c2 = 1 - beta2 ** t;
    return { w: f64(w).map((wi, i) => wi - (lr * (m1[i]! / c1)) / (Math.sqrt(v1[i]! / c2) + eps)), m: m1, v: v1 };
  },
  ...graphReferenceKernels,
  ...stepOpReferenceKernels,
  ...tokenReferenceKernels,
};
