// Unbiasedness of LR, ALR (sign-noise), ES and AES on a problem whose smoothed gradient is known in
// closed form: one linear layer z = W x + b (+ noise), quadratic loss L = 1/2 ||z - onehot(y)||^2.
// LR and ALR also on a conv layer feeding a linear layer, both noisy, same loss: the loss is quadratic
// in all the noise, so the smoothed gradient of the conv parameters is the exact one (the linear
// layer's own picks up sigma^2 W from its noisy input, so only the conv's coordinates are checked).
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
import { sampleNoise } from '../../kernels/rng.js';
import type { Batch, EstimatorOptions, Params } from '../../src/estimators/types.js';
import {
  BOUND,
  convBatch,
  convNet,
  convParams,
  flipped,
  maxZ,
  missingInverseSigma,
  quadratic,
  type Estimator,
} from '../fixtures/unbiased-check.js';
import { mlp } from '../../src/models/builders.js';

const network = mlp([3, 4]);
const N = 4;
const sigma = 0.3;
const batch: Batch = {
  input: sampleNoise({ seed: 21, step: 0, layer: 0, samples: N, copies: 1, units: 3 }),
  labels: Int32Array.from([0, 1, 2, 3]),
  size: N,
};
const params: Params = initParams(network, 8);
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

function flat(method: EstimatorOptions['method'], extra: Partial<EstimatorOptions> = {}): Estimator {
  return (seed) => {
    const options: EstimatorOptions = {
      method,
      copies: 50,
      sigma,
      baseline: 'leave-one-out',
      seed,
      rowLoss: quadratic,
      ...extra,
    };
    const run = method === 'es' || method === 'aes' ? es : lr;
    const g = run(network, params, batch, options).gradients.get('fc1')!;
    return Float64Array.from([...g.weights, ...g.biases]);
  };
}

describe.each([
  ['lr', flat('lr'), 200],
  ['alr sign-noise', flat('alr'), 200],
  ['es (weight space)', flat('es'), 100],
  ['aes (weight space)', flat('aes'), 100],
] as const)('%s on a linear layer with quadratic loss', (_, estimator, replications) => {
  test('the mean over replications matches the closed-form gradient', () => {
    expect(maxZ(estimator, replications, exactGradient(), 1000)).toBeLessThan(BOUND);
  });
  test('a flipped-sign or missing-1/sigma version fails the same check', () => {
    expect(maxZ(flipped(estimator), replications, exactGradient(), 1000)).toBeGreaterThan(BOUND);
    expect(maxZ(missingInverseSigma(estimator, sigma), replications, exactGradient(), 1000)).toBeGreaterThan(BOUND);
  });
});

/** Exact gradient of the mean quadratic loss w.r.t. conv1, flattened [weights (2x1x2x2), biases (2)], by hand. */
function convExactGradient(): Float64Array {
  const { weights: w1, biases: b1 } = convParams.get('conv1')!;
  const { weights: w2, biases: b2 } = convParams.get('fc')!;
  const g = new Float64Array(10);
  // Output feature f = (c, i, j); tap t = (a, b) of the 2x2 kernel reads pixel (i + a, j + b).
  const at = (f: number, t: number): [number, number, number] => [f >> 2, ((f >> 1) & 1) + (t >> 1), (f & 1) + (t & 1)];
  for (let n = 0; n < N; n++) {
    const x = (i: number, j: number): number => convBatch.input[n * 9 + i * 3 + j]!;
    const z1 = Float64Array.from({ length: 8 }, (_, f) => {
      let z = b1[f >> 2]!;
      for (let t = 0; t < 4; t++) {
        const [c, i, j] = at(f, t);
        z += w1[c * 4 + t]! * x(i, j);
      }
      return z;
    });
    const dz2 = Float64Array.from(
      { length: 3 },
      (_, o) => (b2[o]! + z1.reduce((s, v, f) => s + w2[o * 8 + f]! * v, 0) - (convBatch.labels[n] === o ? 1 : 0)) / N,
    );
    for (let f = 0; f < 8; f++) {
      const dz1 = dz2.reduce((s, d, o) => s + d * w2[o * 8 + f]!, 0);
      for (let t = 0; t < 4; t++) {
        const [c, i, j] = at(f, t);
        g[c * 4 + t]! += dz1 * x(i, j);
      }
      g[8 + (f >> 2)]! += dz1;
    }
  }
  return g;
}

function convFlat(method: 'lr' | 'alr'): Estimator {
  return (seed) => {
    const g = lr(convNet, convParams, convBatch, {
      method,
      copies: 50,
      sigma,
      baseline: 'leave-one-out',
      seed,
      rowLoss: quadratic,
    }).gradients.get('conv1')!;
    return Float64Array.from([...g.weights, ...g.biases]);
  };
}

describe.each([
  ['lr', convFlat('lr')],
  ['alr sign-noise', convFlat('alr')],
] as const)('%s on a conv layer feeding a noisy linear layer, quadratic loss', (_, estimator) => {
  const truth = convExactGradient();
  test('the mean over replications matches the closed-form conv gradient', () => {
    expect(maxZ(estimator, 200, truth, 1000)).toBeLessThan(BOUND);
  });
  test('a flipped-sign or missing-1/sigma version fails the same check', () => {
    expect(maxZ(flipped(estimator), 200, truth, 1000)).toBeGreaterThan(BOUND);
    expect(maxZ(missingInverseSigma(estimator, sigma), 200, truth, 1000)).toBeGreaterThan(BOUND);
  });
});
