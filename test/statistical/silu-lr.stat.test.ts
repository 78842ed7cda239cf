// LR and ALR through a SiLU layer (op table: kernels/ops/silu.ts) on fc1 -> silu -> fc2 with the
// quadratic loss L = 1/2 ||u2 - onehot(y)||^2, noise sigma eps on both pre-activations u1, u2. The
// smoothed gradient the estimators target, d/dtheta E[L], is known through one-dimensional Gaussian
// integrals per unit (the units' noises are independent and L is quadratic in fc2's output): with
// h = silu(z1 + sigma eps), m = E h, q = E h^2, d = E silu'(.), p = E[silu'(.) h], computed by
// Simpson's rule on [-12, 12] (error far below the test's resolution). LR is unbiased for both layers
// (Stein's lemma). ALR's sqrt(pi/2)-scaled signs are unbiased for fc2 only (L is quadratic in eps2,
// E[(a + s eps) s... sign eps] gives a exactly), not for fc1 through the nonlinearity: fc1 is checked for LR only.
// Calibration as in estimator-unbiased.stat.test.ts: R replications, per coordinate
// z = (mean - truth) / (sd / sqrt(R)), |z| > 5.6 has probability 2.1e-8 under the CLT, so with at most
// 31 coordinates (Bonferroni) a correct estimator fails with probability <= 6.6e-7 < 1e-6.
// Broken estimators (flipped sign, missing 1/sigma, tanh where SiLU should be) must fail the same check.
import { describe, expect, test } from 'vitest';
import { sampleNoise } from '../../kernels/rng.js';
import { lr } from '../../src/estimators/lr.js';
import { initParams } from '../../src/estimators/params.js';
import type { Batch, Params } from '../../src/estimators/types.js';
import { BOUND, flipped, maxZ, missingInverseSigma, quadratic, type Estimator } from '../fixtures/unbiased-check.js';
import type { Network } from '../../src/models/layers.js';

const N = 4;
const sigma = 0.5;
const net = (activation: 'silu' | 'tanh'): Network => ({
  name: `fc-${activation}-fc`,
  inputShape: [3],
  classes: 3,
  layers: [
    { kind: 'linear', name: 'fc1', inFeatures: 3, outFeatures: 4 },
    { kind: activation, name: 'act' },
    { kind: 'linear', name: 'fc2', inFeatures: 4, outFeatures: 3 },
  ],
});
const network = net('silu');
const batch: Batch = {
  input: sampleNoise({ seed: 31, step: 0, layer: 0, samples: N, copies: 1, units: 3 }).map((v) => 2 * v),
  labels: Int32Array.from([0, 1, 2, 1]),
  size: N,
};
const params: Params = initParams(network, 12);
// SiLU and its derivative written out here, independently of the op table.
const sig = (u: number): number => 1 / (1 + Math.exp(-u));
const silu = (u: number): number => u * sig(u);
const siluPrime = (u: number): number => sig(u) * (1 + u * (1 - sig(u)));

/** E[f(z + sigma eps)], eps standard normal, by Simpson's rule on eps in [-12, 12]. */
function gaussMean(f: (u: number) => number, z: number): number {
  const steps = 2400;
  const h = 24 / steps;
  let sum = 0;
  for (let i = 0; i <= steps; i++) {
    const e = -12 + i * h;
    const weight = i === 0 || i === steps ? 1 : i % 2 === 1 ? 4 : 2;
    sum += weight * f(z + sigma * e) * Math.exp(-0.5 * e * e);
  }
  return (sum * h) / 3 / Math.sqrt(2 * Math.PI);
}

/** The smoothed gradient, flattened [fc1 weights (4x3), fc1 biases (4), fc2 weights (3x4), fc2 biases (3)]. */
function smoothedGradient(): Float64Array {
  const { weights: w1, biases: b1 } = params.get('fc1')!;
  const { weights: w2, biases: b2 } = params.get('fc2')!;
  const g = new Float64Array(31);
  for (let n = 0; n < N; n++) {
    const x = batch.input.subarray(n * 3, n * 3 + 3);
    const z1 = Array.from({ length: 4 }, (_, j) => b1[j]! + x.reduce((s, v, i) => s + w1[j * 3 + i]! * v, 0));
    const m = z1.map((z) => gaussMean(silu, z));
    const q = z1.map((z) => gaussMean((u) => silu(u) ** 2, z));
    const d = z1.map((z) => gaussMean(siluPrime, z));
    const p = z1.map((z) => gaussMean((u) => siluPrime(u) * silu(u), z));
    const e = [0, 1, 2].map((o) => b2[o]! - (batch.labels[n] === o ? 1 : 0));
    const hh = (k: number, j: number): number => (k === j ? q[j]! : m[k]! * m[j]!);
    for (let o = 0; o < 3; o++) {
      for (let j = 0; j < 4; j++) {
        const w2hj = [0, 1, 2, 3].reduce((s, k) => s + w2[o * 4 + k]! * hh(k, j), 0);
        g[16 + o * 4 + j]! += (w2hj + e[o]! * m[j]!) / N;
      }
      g[28 + o]! += ([0, 1, 2, 3].reduce((s, k) => s + w2[o * 4 + k]! * m[k]!, 0) + e[o]!) / N;
    }
    for (let j = 0; j < 4; j++) {
      let dz = 0;
      for (let o = 0; o < 3; o++) {
        const others = [0, 1, 2, 3].reduce((s, k) => (k === j ? s : s + w2[o * 4 + k]! * m[k]!), 0);
        dz += w2[o * 4 + j]! * (d[j]! * (others + e[o]!) + w2[o * 4 + j]! * p[j]!);
      }
      for (let i = 0; i < 3; i++) g[j * 3 + i]! += (dz * x[i]!) / N;
      g[12 + j]! += dz / N;
    }
  }
  return g;
}

function estimator(method: 'lr' | 'alr', activation: 'silu' | 'tanh' = 'silu'): Estimator {
  return (seed) => {
    const options = { method, copies: 50, sigma, baseline: 'leave-one-out' as const, seed, rowLoss: quadratic };
    const g = lr(net(activation), params, batch, options).gradients;
    const [fc1, fc2] = [g.get('fc1')!, g.get('fc2')!];
    return Float64Array.from([...fc1.weights, ...fc1.biases, ...fc2.weights, ...fc2.biases]);
  };
}

const R = 300;

describe.each([
  ['lr, both layers', 'lr', 0],
  ['alr sign-noise, fc2 (after the SiLU)', 'alr', 16],
] as const)('%s: SiLU network, quadratic loss', (_, method, from) => {
  const truth = smoothedGradient();
  test('the mean over replications matches the smoothed gradient', () => {
    expect(maxZ(estimator(method), R, truth, 5000, from)).toBeLessThan(BOUND);
  });
  test('a flipped-sign, missing-1/sigma or tanh-for-SiLU version fails the same check', () => {
    expect(maxZ(flipped(estimator(method)), R, truth, 5000, from)).toBeGreaterThan(BOUND);
    expect(maxZ(missingInverseSigma(estimator(method), sigma), R, truth, 5000, from)).toBeGreaterThan(BOUND);
    expect(maxZ(estimator(method, 'tanh'), R, truth, 5000, from)).toBeGreaterThan(BOUND);
  });
});
