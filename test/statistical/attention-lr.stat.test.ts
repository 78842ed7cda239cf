// LR and ALR (sign-noise) on an attention block: position embedding -> linear qkv -> 2-head softmax
// attention -> linear -> mean pooling -> linear head, 3 tokens of 4 features, quadratic loss
// L = 1/2 ||z - onehot(y)||^2. Noise sigma eps lies on every (token, feature) value of each
// parametrised layer's output (the position embedding's too), sigma per feature repeated over the
// tokens, as the training runtime injects it; a token linear layer's gradient sums over the tokens.
// Truth: the exact (BP) gradient of the mean clean loss, by central differences (h = 1e-5: the error
// is ~1e-10, far below the test's resolution). LR and ALR target the gradient of the smoothed loss
// E[L(noisy)], which differs from it by O(sigma^2) through the softmax (and the head's noisy input).
// Measured with this file's network and seeds: at sigma = 0.1 and R = 2000 the bias shows (largest
// |z| 5.94 for LR, 4.22 for ALR); at sigma = 0.01 it is 100 times smaller (largest |z| 2.75 and 2.57
// at R = 2000), so at R = 200 it moves z by about 0.02.
// Calibration: R = 200 independent replications (different seeds); for each of the M = 107
// coordinates z = (mean - truth) / (sd / sqrt(R)) follows Student's t with 199 degrees of freedom
// under the CLT, P(|t| > 6.1) = 5.4e-9, so a correct estimator fails with probability
// <= 107 x 5.4e-9 = 5.8e-7 < 1e-6 (Bonferroni). Broken estimators (flipped sign; missing the
// 1/sigma factor) must fail the same check.
import { describe, expect, test } from 'vitest';
import { sampleNoise } from '../../kernels/rng.js';
import { forward } from '../../src/estimators/forward.js';
import { lr } from '../../src/estimators/lr.js';
import { initParams } from '../../src/estimators/params.js';
import type { Batch, Params } from '../../src/estimators/types.js';
import { paramLayers, type Network } from '../../src/models/layers.js';
import { inferShapes } from '../../src/models/shapes.js';
import { flipped, maxZ, missingInverseSigma, quadratic, type Estimator } from '../fixtures/unbiased-check.js';

const BOUND = 6.1;
const N = 4;
const sigma = 0.01;
const R = 200;
const network: Network = {
  name: 'attention-block',
  inputShape: [3, 4],
  classes: 3,
  layers: [
    { kind: 'position-embedding', name: 'position', tokens: 3, features: 4 },
    { kind: 'linear', name: 'qkv', inFeatures: 4, outFeatures: 12 },
    { kind: 'attention', name: 'attention', heads: 2, causal: false },
    { kind: 'linear', name: 'proj', inFeatures: 4, outFeatures: 4 },
    { kind: 'mean-pool', name: 'pool' },
    { kind: 'linear', name: 'head', inFeatures: 4, outFeatures: 3 },
  ],
};
inferShapes(network);
const names = paramLayers(network.layers).map((l) => l.name);
const batch: Batch = {
  input: sampleNoise({ seed: 41, step: 0, layer: 0, samples: N, copies: 1, units: 12 }),
  labels: Int32Array.from([0, 1, 2, 1]),
  size: N,
};
const params: Params = initParams(network, 17);

/** Every layer's [weights, biases], in layer order. */
function flatten(gradients: ReadonlyMap<string, { weights: Float64Array; biases: Float64Array }>): Float64Array {
  return Float64Array.from(names.flatMap((n) => [...gradients.get(n)!.weights, ...gradients.get(n)!.biases]));
}

function meanLoss(p: Params): number {
  const { logits } = forward({ network, params: p, input: batch.input, rows: N, keep: 'none' });
  return quadratic(logits, batch.labels, N, network.classes).reduce((a, b) => a + b, 0) / N;
}

/** d mean clean loss / d every parameter by central differences. */
function exactGradient(): Float64Array {
  const h = 1e-5;
  const out: number[] = [];
  for (const name of names) {
    for (const part of ['weights', 'biases'] as const) {
      params.get(name)![part].forEach((_, i) => {
        const shifted = (d: number): number => {
          const copy = {
            weights: Float64Array.from(params.get(name)!.weights),
            biases: Float64Array.from(params.get(name)!.biases),
          };
          copy[part][i]! += d;
          return meanLoss(new Map([...params, [name, copy]]));
        };
        out.push((shifted(h) - shifted(-h)) / (2 * h));
      });
    }
  }
  return Float64Array.from(out);
}

function estimator(method: 'lr' | 'alr'): Estimator {
  return (seed) =>
    flatten(
      lr(network, params, batch, {
        method,
        copies: 50,
        sigma,
        baseline: 'leave-one-out',
        seed,
        rowLoss: quadratic,
      }).gradients,
    );
}

describe.each(['lr', 'alr'] as const)('%s on an attention block, quadratic loss', (method) => {
  const truth = exactGradient();
  test('the mean over replications matches the BP gradient of every layer', () => {
    expect(truth.length).toBe(107);
    const z = maxZ(estimator(method), R, truth, 7000);
    console.log(`${method}: largest |z| over ${truth.length} coordinates = ${z.toFixed(3)}`);
    expect(z).toBeLessThan(BOUND);
  });
  test('a flipped-sign or missing-1/sigma version fails the same check', () => {
    expect(maxZ(flipped(estimator(method)), R, truth, 7000)).toBeGreaterThan(BOUND);
    expect(maxZ(missingInverseSigma(estimator(method), sigma), R, truth, 7000)).toBeGreaterThan(BOUND);
  });
});
