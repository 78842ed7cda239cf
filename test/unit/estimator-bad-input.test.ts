// Bad input to every estimator raises InvalidInputError naming the layer (or input) and the value;
// never a silent NaN result.
import { expect, test } from 'vitest';
import { InvalidInputError } from '../../src/errors.js';
import { estimate } from '../../src/estimators/estimate.js';
import { initParams } from '../../src/estimators/params.js';
import type { Batch, EstimatorOptions, Params } from '../../src/estimators/types.js';
import { mlp } from '../../src/models/builders.js';
import { methodNames as methods } from '../../src/compiler/methods/names.js';

const network = mlp([3, 4, 2]);
const batch = (): Batch => ({
  input: Float64Array.from([0.1, -0.2, 0.3, 0.5, 0.4, -0.1]),
  labels: Int32Array.from([0, 1]),
  size: 2,
});
const params = (): Params => initParams(network, 2);

const cases: [string, (m: EstimatorOptions['method']) => unknown, RegExp][] = [
  [
    'shape mismatch in input',
    (method) =>
      estimate(network, params(), { ...batch(), input: new Float64Array(5) }, { method, copies: 2, sigma: 0.1 }),
    /input: 5 values for batch 2/,
  ],
  [
    'NaN in input',
    (method) => {
      const b = batch();
      b.input[4] = NaN;
      return estimate(network, params(), b, { method, copies: 2, sigma: 0.1 });
    },
    /input: value \[4\] = NaN/,
  ],
  [
    'Inf in weights',
    (method) => {
      const p = params();
      p.get('fc2')!.weights[3] = Infinity;
      return estimate(network, p, batch(), { method, copies: 2, sigma: 0.1 });
    },
    /layer fc2: weights\[3\] = Infinity/,
  ],
  [
    'weights of the wrong size',
    (method) => {
      const p = params();
      p.get('fc1')!.weights = new Float64Array(11);
      return estimate(network, p, batch(), { method, copies: 2, sigma: 0.1 });
    },
    /layer fc1 \(linear\): weights has 11 elements; expected 12/,
  ],
];

test.each(methods.flatMap((m) => cases.map(([what, run, message]) => [m, what, run, message] as const)))(
  '%s: %s',
  (method, _, run, message) => {
    expect(() => run(method)).toThrow(InvalidInputError);
    expect(() => run(method)).toThrow(message);
  },
);

test.each(['lr', 'alr', 'es', 'aes'] as const)('%s: K < 1 and sigma <= 0 are rejected', (method) => {
  expect(() => estimate(network, params(), batch(), { method, copies: 0, sigma: 0.1 })).toThrow(/copies K = 0/);
  expect(() => estimate(network, params(), batch(), { method, copies: 2, sigma: 0 })).toThrow(InvalidInputError);
  expect(() => estimate(network, params(), batch(), { method, copies: 2, sigma: -1 })).toThrow(/sigma/);
});

test('per-layer sigma with a bad value names the layer and index', () => {
  const sigma = new Map([
    ['fc1', Float64Array.from([0.1, 0.1, Number.NaN, 0.1])],
    ['fc2', Float64Array.from([0.1, 0.1])],
  ]);
  expect(() => estimate(network, params(), batch(), { method: 'lr', copies: 2, sigma })).toThrow(
    /layer fc1: sigma\[2\] = NaN/,
  );
});
