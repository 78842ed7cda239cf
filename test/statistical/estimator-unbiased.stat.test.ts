// Unbiasedness of LR, ALR (sign-noise), ES and AES on a problem whose smoothed gradient is known in
// closed form: one linear layer z = W x + b (+ noise), quadratic loss L = 1/2 ||z - onehot(y)||^2.
// For Gaussian noise of any sigma the smoothed gradient equals the exact one, dL/dW = (Wx + b - t) x^T,
// and the sqrt(pi/2)-scaled sign estimators are exactly unbiased here too (E[(a s eps + ...) sign eps] = a s sqrt(2/pi)).
// Calibration: R independent replications (different seeds); for each of the M coordinates,
// z = (mean - truth) / (sd / sqrt(R)); by the CLT each |z| > 5.6 has probability 2.1e-8, so with
// M <= 20 coordinates (Bonferroni) a correct estimator fails with probability <= 4.3e-7 < 1e-6.
// Broken estimators (flipped sign; missing the 1/sigma factor) must fail the same check.
import { describe, expect, test } from 'vitest';
import { es } from '../../src/estimators/es.js';
import { lr } from '../../src/estimators/lr.js';
import { initParams } from '../../src/estimators/params.js';
import { sampleNoise } from '../../src/estimators/rng.js';
import type { Batch, EstimatorOptions, Params, RowLoss } from '../../src/estimators/types.js';
import { mlp } from '../../src/models/builders.js';

const network = mlp([3, 4]);
const N = 4;
const sigma = 0.3;
const batch: Batch = { input: sampleNoise({ seed: 21, step: 0, layer: 0, samples: N, copies: 1, units: 3 }), labels: Int32Array.from([0, 1, 2, 3]), size: N };
const params: Params = initParams(network, 8);
const quadratic: RowLoss = (z, labels, rows, classes) =>
  Float64Array.from({ length: rows }, (_, r) => {
    let s = 0;
    for (let c = 0; c < classes; c++) s += 0.5 * (z[r * classes + c]! - (labels[r] === c ? 1 : 0)) ** 2;
    return s;
  });

/** Exact gradient of the mean quadratic loss, flattened [weights (4x3), biases (4)]. */
function exactGradient(): Float64Array {
  const { weights: w, biases: b } = params.get('fc1')!;
  const g = new Float64Array(16);
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < 4; o++) {
      let z = b[o]!;
      for (let i = 0; i < 3; i++) z += w[o * 3 + i]! * batch.input[n * 3 + i]!;
      const a = (z - (batch.labels[n] === o ? 1 : 0)) / N;
      for (let i = 0; i < 3; i++) g[o * 3 + i]! += a * batch.input[n * 3 + i]!;
      g[12 + o]! += a;
    }
  }
  return g;
}

type Estimator = (seed: number) => Float64Array;

function flat(method: EstimatorOptions['method'], extra: Partial<EstimatorOptions> = {}): Estimator {
  return (seed) => {
    const options: EstimatorOptions = { method, copies: 50, sigma, baseline: 'leave-one-out', seed, rowLoss: quadratic, ...extra };
    const run = method === 'es' || method === 'aes' ? es : lr;
    const g = run(network, params, batch, options).gradients.get('fc1')!;
    return Float64Array.from([...g.weights, ...g.biases]);
  };
}

const flipped = (e: Estimator): Estimator => (seed) => e(seed).map((v) => -v);
const missingInverseSigma = (e: Estimator): Estimator => (seed) => e(seed).map((v) => v * sigma);

function maxZ(estimator: Estimator, replications: number): number {
  const truth = exactGradient();
  const draws = Array.from({ length: replications }, (_, r) => estimator(1000 + r));
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

describe.each([
  ['lr', flat('lr'), 200],
  ['alr sign-noise', flat('alr'), 200],
  ['es (weight space)', flat('es'), 100],
  ['aes (weight space)', flat('aes'), 100],
] as const)('%s on a linear layer with quadratic loss', (_, estimator, replications) => {
  test('the mean over replications matches the closed-form gradient', () => {
    expect(maxZ(estimator, replications)).toBeLessThan(BOUND);
  });
  test('a flipped-sign or missing-1/sigma version fails the same check', () => {
    expect(maxZ(flipped(estimator), replications)).toBeGreaterThan(BOUND);
    expect(maxZ(missingInverseSigma(estimator), replications)).toBeGreaterThan(BOUND);
  });
});
