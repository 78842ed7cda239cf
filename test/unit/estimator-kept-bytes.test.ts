// The kept-bytes account the estimators measure, against the shared rule worked out by hand for a
// tiny MLP 3-4-2 (N = 2, K = 3, floatBytes 4), and ALR's sign bits against LR's float noise per layer.
import { describe, expect, test } from 'vitest';
import { estimate } from '../../src/estimators/estimate.js';
import { initParams } from '../../src/estimators/params.js';
import type { Batch, EstimatorOptions } from '../../src/estimators/types.js';
import { mlp } from '../../src/models/builders.js';

const network = mlp([3, 4, 2]);
const params = initParams(network, 2);
const batch: Batch = {
  input: Float64Array.from([0.1, -0.2, 0.3, 0.5, 0.4, -0.1]),
  labels: Int32Array.from([0, 1]),
  size: 2,
};
const N = 2;
const K = 3;
const run = (o: Partial<EstimatorOptions> & Pick<EstimatorOptions, 'method'>) =>
  estimate(network, params, batch, { copies: K, sigma: 0.1, ...o }).kept.byClass;

describe('kept bytes follow the rule (MLP 3-4-2, N=2, K=3, 4-byte floats)', () => {
  test('LR: fc1 input on N rows (copy-invariant), fc2 input on N*K rows, float noise, N*K losses', () => {
    expect(run({ method: 'lr' })).toEqual({
      activation: (N * 3 + N * K * 4) * 4,
      noise: N * K * (4 + 2) * 4,
      'sign-bits': 0,
      loss: N * K * 4,
    });
  });
  test('ALR: same activations, sign bits ceil(N*K*out/32) words per layer', () => {
    expect(run({ method: 'alr' })).toEqual({
      activation: (N * 3 + N * K * 4) * 4,
      noise: 0,
      'sign-bits': (Math.ceil(24 / 32) + Math.ceil(12 / 32)) * 4,
      loss: N * K * 4,
    });
  });
  test('BP: inputs of fc1, relu1 and fc2 on N rows, N losses', () => {
    expect(run({ method: 'bp' })).toEqual({ activation: N * (3 + 4 + 4) * 4, noise: 0, 'sign-bits': 0, loss: N * 4 });
  });
  test('ES and AES: no activations; K x parameters floats or ceil(K*params/32) words per layer', () => {
    expect(run({ method: 'es' })).toEqual({ activation: 0, noise: K * (16 + 10) * 4, 'sign-bits': 0, loss: N * K * 4 });
    expect(run({ method: 'aes' })).toEqual({
      activation: 0,
      noise: 0,
      'sign-bits': (Math.ceil((K * 16) / 32) + Math.ceil((K * 10) / 32)) * 4,
      loss: N * K * 4,
    });
  });
  test('regenerate keeps no noise at all', () => {
    expect(run({ method: 'alr', noiseStorage: 'regenerate' })).toMatchObject({ noise: 0, 'sign-bits': 0 });
    expect(run({ method: 'lr', noiseStorage: 'regenerate' })).toMatchObject({ noise: 0, 'sign-bits': 0 });
  });
});

test('per layer, ALR sign-bit bytes are 1/32 of LR float32 noise bytes up to one word of padding', () => {
  for (const copies of [1, 7, 64]) {
    const lrKept = estimate(network, params, batch, { method: 'lr', copies, sigma: 0.1 }).kept.byLayer;
    const alrKept = estimate(network, params, batch, { method: 'alr', copies, sigma: 0.1 }).kept.byLayer;
    for (const name of ['fc1', 'fc2']) {
      const lrBytes = lrKept[name]!.noise;
      const alrBytes = alrKept[name]!['sign-bits'];
      expect(alrBytes * 32).toBeGreaterThanOrEqual(lrBytes);
      expect(alrBytes * 32 - lrBytes).toBeLessThan(32 * 4);
    }
  }
});
