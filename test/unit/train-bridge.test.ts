// The bridge between the two implementations of every method: the runtime's step (kernels through
// the registry's `reference` backend) gives the same per-layer gradients as the direct float64
// estimators in src/estimators for the same network, batch, seed and step (same counter-based noise
// draws), to 1e-12 relative. Any change of noise indexing, scaling, baseline or sign convention in
// either implementation breaks it.
import { describe, expect, test } from 'vitest';
import { estimate } from '../../src/estimators/estimate.js';
import { initParams } from '../../src/estimators/params.js';
import type { EstimatorOptions } from '../../src/estimators/types.js';
import { mlp } from '../../src/models/builders.js';
import { Runtime } from '../../src/train/runtime/runtime.js';
import type { MethodOptions } from '../../src/train/runtime/step-types.js';

const network = mlp([6, 5, 4, 3], 'tanh');
const samples = 4;
const input = Float64Array.from({ length: samples * 6 }, (_, i) => Math.sin(i * 1.7));
const labels = Int32Array.from({ length: samples }, (_, i) => i % 3);
const seed = 5;
const step = 3;

const cases: MethodOptions[] = [
  { method: 'bp', copies: 1, sigma: 0.1, baseline: 'mean', encoding: 'sign-noise', antithetic: false, layerwise: false },
  ...(['lr', 'alr'] as const).flatMap((method) => [
    { method, copies: 6, sigma: 0.1, baseline: 'mean' as const, encoding: 'sign-noise' as const, antithetic: false, layerwise: false },
    { method, copies: 6, sigma: 0.05, baseline: 'leave-one-out' as const, encoding: 'sign-noise' as const, antithetic: false, layerwise: true },
    { method, copies: 6, sigma: 0.1, baseline: 'none' as const, encoding: 'sign-noise' as const, antithetic: true, layerwise: false },
  ]),
  { method: 'alr', copies: 6, sigma: 0.1, baseline: 'mean', encoding: 'sign-signal', antithetic: false, layerwise: false },
  { method: 'es', copies: 5, sigma: 0.02, baseline: 'mean', encoding: 'sign-noise', antithetic: false, layerwise: false },
  { method: 'aes', copies: 5, sigma: 0.02, baseline: 'none', encoding: 'sign-noise', antithetic: false, layerwise: false },
];

function relativeError(a: Float64Array, b: Float64Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}

describe('runtime on the reference backend == direct estimators (1e-12 relative)', () => {
  test.each(cases)('$method K=$copies baseline=$baseline $encoding antithetic=$antithetic layerwise=$layerwise', async (options) => {
    const params = initParams(network, 11);
    const runtime = await Runtime.create({ network, backend: 'reference', method: options, seed, optimizer: { kind: 'sgd', momentum: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8 } });
    for (const [name, p] of params) runtime.params[name] = { weights: Float64Array.from(p.weights), biases: Float64Array.from(p.biases) };
    const mine = await runtime.gradients({ x: input, labels, samples }, step);
    const estimatorOptions: EstimatorOptions = {
      method: options.method,
      copies: options.copies,
      sigma: options.sigma,
      baseline: options.baseline,
      antithetic: options.antithetic,
      layerwise: options.layerwise,
      alrEncoding: options.encoding,
      seed,
      step,
    };
    const theirs = estimate(network, params, { input, labels, size: samples }, estimatorOptions);
    expect(Object.keys(mine.gradients).sort()).toEqual([...theirs.gradients.keys()].sort());
    for (const [name, g] of theirs.gradients) {
      expect(relativeError(mine.gradients[name]!.weights, g.weights), `${name} weights`).toBeLessThanOrEqual(1e-12);
      expect(relativeError(mine.gradients[name]!.biases, g.biases), `${name} biases`).toBeLessThanOrEqual(1e-12);
    }
    expect(mine.meanLoss).toBeCloseTo(theirs.meanLoss, 12);
  });
});
