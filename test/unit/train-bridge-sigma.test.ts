// The bridge for the switches issue 6 adds to the runtime: learned sigma (LR and ALR, per output
// unit/channel, weights, biases AND sigma gradients) and antithetic pairs for ES/AES. The compiled
// step graph executed on the `reference` backend must give the direct estimators' gradients
// (src/estimators, float64) to 1e-12 relative for the same network, batch, seed, step and sigma.
// Sigma is deliberately non-uniform so a channel/unit indexing slip cannot cancel out. The foundation
// refuses ALR + learned sigma with sign-bit storage, so it runs with 'regenerate' storage, which is
// what the runtime does for ALR's sigma gradient (same counter-based draws).
import { describe, expect, test } from 'vitest';
import { estimate } from '../../src/estimators/estimate.js';
import { initParams } from '../../src/estimators/params.js';
import type { EstimatorOptions } from '../../src/estimators/types.js';
import { outputChannels, paramLayers, type Network } from '../../src/models/layers.js';
import { Runtime } from '../../src/train/runtime/runtime.js';
import { bridgeNetworks, relativeError } from '../fixtures/bridge-networks.js';
import type { MethodOptions } from '../../src/train/runtime/step-types.js';
import { stepSource } from '../../src/compiler/step-source.js';

const networks = bridgeNetworks;
const samples = 4;
const seed = 7;
const step = 2;
const learnSigma = { lr: 1e-3, min: 1e-4 };
const base = { encoding: 'sign-noise' as const, antithetic: false, layerwise: false, sigma: 0.1 };

const cases: MethodOptions[] = [
  ...(['lr', 'alr'] as const).flatMap((method) => [
    { ...base, method, copies: 6, baseline: 'mean' as const, learnSigma },
    { ...base, method, copies: 6, baseline: 'leave-one-out' as const, layerwise: true, learnSigma },
    { ...base, method, copies: 6, baseline: 'none' as const, antithetic: true, learnSigma },
  ]),
  { ...base, method: 'alr', copies: 4, baseline: 'mean', encoding: 'sign-signal', learnSigma },
  { ...base, method: 'es', copies: 6, sigma: 0.02, baseline: 'mean', antithetic: true },
  { ...base, method: 'es', copies: 4, sigma: 0.02, baseline: 'none', antithetic: true },
  { ...base, method: 'aes', copies: 6, sigma: 0.02, baseline: 'leave-one-out', antithetic: true },
];

/** A different sigma for every unit/channel: 0.05 .. 0.15. */
function unevenSigma(network: Network): Map<string, Float64Array> {
  return new Map(
    paramLayers(network.layers).map((layer, l) => [
      layer.name,
      Float64Array.from({ length: outputChannels(layer) }, (_, c) => 0.05 + (0.1 * (((l + 1) * (c + 3)) % 7)) / 6),
    ]),
  );
}

describe.each(networks)(
  'step graph on the reference backend == direct estimators (1e-12 relative): $name',
  (network) => {
    const width = network.inputShape.reduce((a, b) => a * b, 1);
    const input = Float64Array.from({ length: samples * width }, (_, i) => Math.cos(i * 1.3));
    const labels = Int32Array.from({ length: samples }, (_, i) => (i + 1) % 3);
    test.each(cases)(
      '$method K=$copies baseline=$baseline $encoding antithetic=$antithetic layerwise=$layerwise learnSigma=$learnSigma.lr',
      async (options) => {
        const params = initParams(network, 3);
        const runtime = await Runtime.create({
          network: stepSource(network),
          backend: 'reference',
          method: options,
          seed,
          optimizer: { kind: 'sgd', momentum: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8 },
        });
        for (const [name, p] of params)
          runtime.params[name] = { weights: Float64Array.from(p.weights), biases: Float64Array.from(p.biases) };
        const sigma = runtime.sigma ? unevenSigma(network) : options.sigma;
        if (runtime.sigma && sigma instanceof Map)
          runtime.sigma.values = new Map([...sigma].map(([k, v]) => [k, Float64Array.from(v)]));
        const mine = await runtime.gradients({ x: input, labels, samples }, step);
        const estimatorOptions: EstimatorOptions = {
          method: options.method,
          copies: options.copies,
          sigma,
          baseline: options.baseline,
          antithetic: options.antithetic,
          layerwise: options.layerwise,
          alrEncoding: options.encoding,
          seed,
          step,
          learnSigma: options.learnSigma !== undefined,
          ...(options.method === 'alr' && options.learnSigma ? { noiseStorage: 'regenerate' as const } : {}),
        };
        const theirs = estimate(network, params, { input, labels, size: samples }, estimatorOptions);
        expect(Object.keys(mine.gradients).sort()).toEqual([...theirs.gradients.keys()].sort());
        for (const [name, g] of theirs.gradients) {
          expect(relativeError(mine.gradients[name]!.weights, g.weights), `${name} weights`).toBeLessThanOrEqual(1e-12);
          expect(relativeError(mine.gradients[name]!.biases, g.biases), `${name} biases`).toBeLessThanOrEqual(1e-12);
          if (options.learnSigma) {
            expect(g.sigma, `${name}: the estimator gave no sigma gradient`).toBeDefined();
            expect(relativeError(mine.sigmaGradients![name]!, g.sigma!), `${name} sigma`).toBeLessThanOrEqual(1e-12);
          } else {
            expect(mine.sigmaGradients).toBeUndefined();
          }
        }
        expect(Math.abs(mine.meanLoss - theirs.meanLoss)).toBeLessThanOrEqual(1e-12 * Math.abs(theirs.meanLoss));
        await runtime.dispose();
      },
    );
  },
);
