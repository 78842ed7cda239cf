// Hybrid and A-Hybrid (BP in the last layer, LR or ALR in the rest) on a conv layer feeding a linear
// layer, quadratic loss L = 1/2 ||z - onehot(y)||^2: only the conv layer is perturbed, and the network
// is linear, so the smoothed gradient of the conv parameters is the exact one, which central
// differences of the mean loss give to ~1e-10. The BP layer's gradient is the exact BP gradient (to
// float error) in every replication.
// Calibration: R = 200 independent replications (different seeds); for each of the M = 10 conv
// coordinates z = (mean - truth) / (sd / sqrt(R)); by the CLT each |z| > 5.6 has probability 2.1e-8,
// so a correct estimator fails with probability <= 2.1e-7 < 1e-6 (Bonferroni). Broken versions
// (flipped sign; missing the 1/sigma factor) must fail the same check.
import { describe, expect, test } from 'vitest';
import { sampleNoise } from '../../kernels/rng.js';
import { bp } from '../../src/estimators/bp.js';
import { forward } from '../../src/estimators/forward.js';
import { hybrid } from '../../src/estimators/hybrid.js';
import { initParams } from '../../src/estimators/params.js';
import type { Batch, Params, RowLoss } from '../../src/estimators/types.js';
import type { Network } from '../../src/models/layers.js';

const N = 4;
const sigma = 0.3;
const network: Network = {
  name: 'conv-quadratic',
  inputShape: [1, 3, 3],
  classes: 3,
  layers: [
    { kind: 'conv2d', name: 'conv1', inChannels: 1, outChannels: 2, kernelSize: 2, stride: 1, padding: 0 },
    { kind: 'flatten', name: 'flat' },
    { kind: 'linear', name: 'fc', inFeatures: 8, outFeatures: 3 },
  ],
};
const batch: Batch = {
  input: sampleNoise({ seed: 22, step: 0, layer: 0, samples: N, copies: 1, units: 9 }),
  labels: Int32Array.from([0, 1, 2, 0]),
  size: N,
};
const params: Params = initParams(network, 9);
const quadratic: RowLoss = (z, labels, rows, classes) =>
  Float64Array.from({ length: rows }, (_, r) => {
    let s = 0;
    for (let c = 0; c < classes; c++) s += 0.5 * (z[r * classes + c]! - (labels[r] === c ? 1 : 0)) ** 2;
    return s;
  });

function meanLoss(p: Params): number {
  const { logits } = forward({ network, params: p, input: batch.input, rows: N, keep: 'none' });
  return quadratic(logits, batch.labels, N, network.classes).reduce((a, b) => a + b, 0) / N;
}

/** d mean loss / d conv1 [weights, biases] by central differences (exact up to rounding: the loss is quadratic). */
function convGradient(): Float64Array {
  const conv = params.get('conv1')!;
  const flatLength = conv.weights.length + conv.biases.length;
  const h = 1e-4;
  return Float64Array.from({ length: flatLength }, (_, i) => {
    const shifted = (d: number): number => {
      const weights = Float64Array.from(conv.weights);
      const biases = Float64Array.from(conv.biases);
      if (i < weights.length) weights[i]! += d;
      else biases[i - weights.length]! += d;
      return meanLoss(new Map([...params, ['conv1', { weights, biases }]]));
    };
    return (shifted(h) - shifted(-h)) / (2 * h);
  });
}

type Estimator = (seed: number) => Float64Array;

function convOf(method: 'hybrid' | 'a-hybrid'): Estimator {
  return (seed) => {
    const g = hybrid(network, params, batch, {
      method,
      copies: 50,
      sigma,
      baseline: 'leave-one-out',
      seed,
      rowLoss: quadratic,
      bpLayers: ['fc'],
    }).gradients.get('conv1')!;
    return Float64Array.from([...g.weights, ...g.biases]);
  };
}

const flipped =
  (e: Estimator): Estimator =>
  (seed) =>
    e(seed).map((v) => -v);
const missingInverseSigma =
  (e: Estimator): Estimator =>
  (seed) =>
    e(seed).map((v) => v * sigma);

function maxZ(estimator: Estimator, replications: number, truth: Float64Array): number {
  const draws = Array.from({ length: replications }, (_, r) => estimator(3000 + r));
  let worst = 0;
  truth.forEach((t, i) => {
    const xs = draws.map((d) => d[i]!);
    const mean = xs.reduce((a, b) => a + b) / replications;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (replications - 1));
    worst = Math.max(worst, Math.abs(mean - t) / (sd / Math.sqrt(replications)));
  });
  return worst;
}

const BOUND = 5.6;

describe.each(['hybrid', 'a-hybrid'] as const)('%s: LR part on the conv layer, BP on the linear layer', (method) => {
  const truth = convGradient();
  test('the mean over replications of the conv gradient matches the exact one', () => {
    expect(maxZ(convOf(method), 200, truth)).toBeLessThan(BOUND);
  });
  test('a flipped-sign or missing-1/sigma version fails the same check', () => {
    expect(maxZ(flipped(convOf(method)), 200, truth)).toBeGreaterThan(BOUND);
    expect(maxZ(missingInverseSigma(convOf(method)), 200, truth)).toBeGreaterThan(BOUND);
  });
  test("the BP layer's gradient is BP's, whatever the seed", () => {
    const exact = bp(network, params, batch).gradients.get('fc')!;
    for (const seed of [1, 2, 3]) {
      const mine = hybrid(network, params, batch, { method, copies: 8, sigma, seed, bpLayers: ['fc'] }).gradients;
      expect(mine.get('fc')!.weights).toEqual(exact.weights);
      expect(mine.get('fc')!.biases).toEqual(exact.biases);
    }
  });
});
