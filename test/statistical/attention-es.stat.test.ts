// ES and AES on the attention block of test/fixtures/attention-block.ts (position embedding -> linear
// qkv -> 2-head softmax attention -> linear -> mean pooling -> linear head, 3 tokens of 4 features,
// quadratic loss). Each copy perturbs every parameter, theta + sigma eps_k with sigma one scalar in
// weight space (the position table's 12 values and the token linear layers' weights included), and
// runs the clean batch; g = 1/(N K sigma) sum L~ eps_k (AES: sqrt(pi/2) sign(eps_k)). Truth: the exact
// (BP) gradient of the mean clean loss by central differences. ES targets the gradient of the
// smoothed loss E[L(theta + sigma eps)], which differs from it by O(sigma^2); at sigma = 0.01 that is
// far below the test's resolution (measured with this file's seeds at R = 2000: largest |z| 2.59 for
// both ES and AES; at R = 200, 3.47 and 3.44). The shared-position control is es.ts's estimator
// rebuilt from the oracle's pieces: with the sharing taken out it gives the same |z| as es() to 4
// digits, so only the sharing makes it fail (|z| 25.7 and 20.6).
// Calibration as in attention-lr.stat.test.ts: R = 200 independent replications (different seeds);
// for each of the M = 107 coordinates z = (mean - truth) / (sd / sqrt(R)) follows Student's t with
// 199 degrees of freedom under the CLT, P(|t| > 6.1) = 5.4e-9, so a correct estimator fails with
// probability <= 107 x 5.4e-9 = 5.8e-7 < 1e-6 (Bonferroni). Broken estimators (flipped sign; missing
// the 1/sigma factor; the position table's perturbation shared by every position, one draw per
// feature) must fail the same check.
import { describe, expect, test } from 'vitest';
import { es } from '../../src/estimators/es.js';
import {
  attentionBatch,
  attentionBlock,
  attentionParams,
  esSharedPositionNoise,
  exactAttentionGradient,
  flattenGradients,
} from '../fixtures/attention-block.js';
import { flipped, maxZ, missingInverseSigma, quadratic, type Estimator } from '../fixtures/unbiased-check.js';

const BOUND = 6.1;
const sigma = 0.01;
const R = 200;
const copies = 50;

function estimator(method: 'es' | 'aes'): Estimator {
  return (seed) =>
    flattenGradients(
      es(attentionBlock, attentionParams, attentionBatch, {
        method,
        copies,
        sigma,
        baseline: 'leave-one-out',
        seed,
        rowLoss: quadratic,
      }).gradients,
    );
}

describe.each(['es', 'aes'] as const)('%s on an attention block, quadratic loss', (method) => {
  const truth = exactAttentionGradient();
  test('the mean over replications matches the BP gradient of every layer', () => {
    expect(truth.length).toBe(107);
    const z = maxZ(estimator(method), R, truth, 9000);
    console.log(`${method}: largest |z| over ${truth.length} coordinates = ${z.toFixed(3)}`);
    expect(z).toBeLessThan(BOUND);
  });
  test('a flipped-sign or missing-1/sigma version fails the same check', () => {
    expect(maxZ(flipped(estimator(method)), R, truth, 9000)).toBeGreaterThan(BOUND);
    expect(maxZ(missingInverseSigma(estimator(method), sigma), R, truth, 9000)).toBeGreaterThan(BOUND);
  });
  test('a version whose position table is perturbed by one draw per feature, shared by every position, fails', () => {
    const z = maxZ(esSharedPositionNoise(method, copies, sigma), R, truth, 9000);
    console.log(`${method} with the position perturbation shared over positions: largest |z| = ${z.toFixed(3)}`);
    expect(z).toBeGreaterThan(BOUND);
  });
});
