// The bridge between the compiled step graph and the foundation: the compiler's step graph executed
// node by node on the registry's `reference` backend (src/train/runtime/execute-graph.ts) gives the
// same per-layer gradients as the direct float64 estimators in src/estimators for the same network,
// batch, seed and step (same counter-based noise draws), to 1e-12 relative, for BP, LR, ALR, ES and
// AES, Hybrid and A-Hybrid, on an MLP and on a small CNN with batchnorm, max/avg pooling and a residual block. Any change
// of noise indexing, row folding, scaling, baseline or sign convention on either side breaks it.
import { describe, expect, test } from 'vitest';
import { estimate } from '../../src/estimators/estimate.js';
import { initParams } from '../../src/estimators/params.js';
import type { EstimatorOptions } from '../../src/estimators/types.js';
import { Runtime } from '../../src/train/runtime/runtime.js';
import { selectBpLayers } from '../../src/models/bp-layers.js';
import { paramLayers } from '../../src/models/layers.js';
import { bridgeNetworks, relativeError } from '../fixtures/bridge-networks.js';
import type { MethodOptions } from '../../src/train/runtime/step-types.js';
import { stepSource } from '../../src/compiler/step-source.js';

const networks = bridgeNetworks;
const samples = 4;
const seed = 5;
const step = 3;

const base = { encoding: 'sign-noise' as const, antithetic: false, layerwise: false };
const cases: MethodOptions[] = [
  { ...base, method: 'bp', copies: 1, sigma: 0.1, baseline: 'mean' },
  ...(['lr', 'alr'] as const).flatMap((method) => [
    { ...base, method, copies: 6, sigma: 0.1, baseline: 'mean' as const },
    { ...base, method, copies: 6, sigma: 0.05, baseline: 'leave-one-out' as const, layerwise: true },
    { ...base, method, copies: 6, sigma: 0.1, baseline: 'none' as const, antithetic: true },
  ]),
  { ...base, method: 'alr', copies: 6, sigma: 0.1, baseline: 'mean', encoding: 'sign-signal' },
  { ...base, method: 'es', copies: 5, sigma: 0.02, baseline: 'mean' },
  { ...base, method: 'aes', copies: 5, sigma: 0.02, baseline: 'none' },
  { ...base, method: 'hybrid', copies: 6, sigma: 0.1, baseline: 'mean' },
  { ...base, method: 'a-hybrid', copies: 6, sigma: 0.1, baseline: 'mean', bpLayers: 'first' },
  { ...base, method: 'a-hybrid', copies: 6, sigma: 0.1, baseline: 'leave-one-out', encoding: 'sign-signal' },
];

describe.each(networks)(
  'step graph on the reference backend == direct estimators (1e-12 relative): $name',
  (network) => {
    const width = network.inputShape.reduce((a, b) => a * b, 1);
    const input = Float64Array.from({ length: samples * width }, (_, i) => Math.sin(i * 1.7));
    const labels = Int32Array.from({ length: samples }, (_, i) => i % 3);
    test.each(cases)(
      '$method K=$copies baseline=$baseline $encoding antithetic=$antithetic layerwise=$layerwise',
      async (given) => {
        // 'first': BP in the first parametrised layer only, so the backward chain crosses the LR layers after it.
        const first = given.bpLayers === 'first' ? { bpLayers: paramLayers(network.layers)[0]!.name } : {};
        const options = { ...given, ...first };
        const params = initParams(network, 11);
        const runtime = await Runtime.create({
          network: stepSource(network),
          backend: 'reference',
          method: options,
          seed,
          optimizer: { kind: 'sgd', momentum: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8 },
        });
        for (const [name, p] of params)
          runtime.params[name] = { weights: Float64Array.from(p.weights), biases: Float64Array.from(p.biases) };
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
          ...(options.bpLayers ? { bpLayers: selectBpLayers(network, options.bpLayers) } : {}),
        };
        const theirs = estimate(network, params, { input, labels, size: samples }, estimatorOptions);
        expect(Object.keys(mine.gradients).sort()).toEqual([...theirs.gradients.keys()].sort());
        for (const [name, g] of theirs.gradients) {
          expect(relativeError(mine.gradients[name]!.weights, g.weights), `${name} weights`).toBeLessThanOrEqual(1e-12);
          expect(relativeError(mine.gradients[name]!.biases, g.biases), `${name} biases`).toBeLessThanOrEqual(1e-12);
        }
        expect(Math.abs(mine.meanLoss - theirs.meanLoss)).toBeLessThanOrEqual(1e-12 * Math.abs(theirs.meanLoss));
        await runtime.dispose();
      },
    );
  },
);
