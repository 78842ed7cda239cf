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
import { bp } from '../../src/estimators/bp.js';
import { forward } from '../../src/estimators/forward.js';
import { hybrid } from '../../src/estimators/hybrid.js';
import type { Params } from '../../src/estimators/types.js';
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

const N = 4;
const sigma = 0.3;
const network = convNet;
const batch = convBatch;
const params = convParams;

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

describe.each(['hybrid', 'a-hybrid'] as const)('%s: LR part on the conv layer, BP on the linear layer', (method) => {
  const truth = convGradient();
  test('the mean over replications of the conv gradient matches the exact one', () => {
    expect(maxZ(convOf(method), 200, truth, 3000)).toBeLessThan(BOUND);
  });
  test('a flipped-sign or missing-1/sigma version fails the same check', () => {
    expect(maxZ(flipped(convOf(method)), 200, truth, 3000)).toBeGreaterThan(BOUND);
    expect(maxZ(missingInverseSigma(convOf(method), sigma), 200, truth, 3000)).toBeGreaterThan(BOUND);
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
