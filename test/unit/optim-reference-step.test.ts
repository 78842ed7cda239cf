// The reference training step with SGD (momentum) and Adam reduces the clean loss on a tiny problem,
// for BP and for ALR; a step with a sign-flipped learning direction (ascent) must increase it.
import { expect, test } from 'vitest';
import { InvalidInputError } from '../../src/errors.js';
import { networkLoss } from '../../src/estimators/loss.js';
import { initParams } from '../../src/estimators/params.js';
import { sampleNoise } from '../../kernels/rng.js';
import type { Batch, EstimatorOptions } from '../../src/estimators/types.js';
import { mlp } from '../../src/models/builders.js';
import { createOptimizer, type OptimizerConfig } from '../../src/train/optimizers.js';
import { referenceStep } from '../../src/estimators/reference-step.js';

const network = mlp([4, 8, 3], 'tanh');
const input = sampleNoise({ seed: 77, step: 0, layer: 0, samples: 12, copies: 1, units: 4 });
const batch: Batch = {
  input,
  labels: Int32Array.from({ length: 12 }, (_, i) => (input[i * 4]! > 0 ? 0 : input[i * 4 + 1]! > 0 ? 1 : 2)),
  size: 12,
};

function train(estimator: EstimatorOptions, config: OptimizerConfig, steps: number): { before: number; after: number } {
  const params = initParams(network, 4);
  const before = networkLoss(network, params, batch);
  const optimizer = createOptimizer(config);
  for (let step = 0; step < steps; step++)
    referenceStep(network, params, batch, { estimator: { ...estimator, step }, optimizer });
  return { before, after: networkLoss(network, params, batch) };
}

test.each([
  ['bp + sgd momentum', { method: 'bp', copies: 1, sigma: 0.1 }, { kind: 'sgd', learningRate: 0.2, momentum: 0.9 }],
  ['bp + adam', { method: 'bp', copies: 1, sigma: 0.1 }, { kind: 'adam', learningRate: 0.02 }],
  ['alr + sgd', { method: 'alr', copies: 64, sigma: 0.1, baseline: 'mean' }, { kind: 'sgd', learningRate: 0.2 }],
  [
    'lr + adam, learned sigma',
    {
      method: 'lr',
      copies: 64,
      sigma: new Map([
        ['fc1', new Float64Array(8).fill(0.1)],
        ['fc2', new Float64Array(3).fill(0.1)],
      ]),
      baseline: 'mean',
      learnSigma: true,
    },
    { kind: 'adam', learningRate: 0.02 },
  ],
] as [string, EstimatorOptions, OptimizerConfig][])(
  '%s reduces the loss by a third in 40 steps',
  (_, estimator, config) => {
    const { before, after } = train(estimator, config, 40);
    expect(after).toBeLessThan(before * (2 / 3));
  },
);

test('broken: SGD with a negative step direction (ascent) increases the loss', () => {
  const params = initParams(network, 4);
  const before = networkLoss(network, params, batch);
  const optimizer = createOptimizer({ kind: 'sgd', learningRate: 0.2 });
  const flip = {
    step: (p: Parameters<typeof optimizer.step>[0], g: Parameters<typeof optimizer.step>[1]) =>
      optimizer.step(
        p,
        new Map([...g].map(([n, v]) => [n, { weights: v.weights.map((x) => -x), biases: v.biases.map((x) => -x) }])),
      ),
  };
  for (let step = 0; step < 20; step++)
    referenceStep(network, params, batch, { estimator: { method: 'bp', copies: 1, sigma: 0.1 }, optimizer: flip });
  expect(networkLoss(network, params, batch)).toBeGreaterThan(before);
});

test('a non-positive learning rate is rejected', () => {
  expect(() => createOptimizer({ kind: 'adam', learningRate: 0 })).toThrow(InvalidInputError);
});
