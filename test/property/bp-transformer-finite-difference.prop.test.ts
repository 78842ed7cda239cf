// BP of the token-sequence layers (LayerNorm, attention causal and not, class token, position
// embedding, tokens, class-token and mean pooling, GELU, linear per token) against central finite
// differences in float64, on drawn small vision transformers and causal decoders, gamma and every
// parameter drawn away from its initial value, widths of at least 4 (a LayerNorm over 2 features
// leaves gradients near 1e-7, where central differences lose their digits). Relative error per layer:
// ||g_bp - g_fd|| / ||g_fd|| <= 1e-6.
import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { sampleNoise } from '../../kernels/rng.js';
import { bp } from '../../src/estimators/bp.js';
import { networkLoss } from '../../src/estimators/loss.js';
import { initParams } from '../../src/estimators/params.js';
import type { Batch, Params } from '../../src/estimators/types.js';
import { elementCount, paramLayers, type Network } from '../../src/models/layers.js';
import { inferShapes } from '../../src/models/shapes.js';
import { transformerBlock, vit } from '../../src/models/transformer-builders.js';

function batchFor(network: Network, size: number, seed: number): Batch {
  const units = elementCount(network.inputShape);
  const input = sampleNoise({ seed, step: 1, layer: 0, samples: size, copies: 1, units });
  return { input, labels: Int32Array.from({ length: size }, (_, i) => (i * 7 + seed) % network.classes), size };
}

/** Every parameter (gamma, beta, tokens and biases included) moved off its initial value by a seeded draw. */
function paramsFor(network: Network, seed: number): Params {
  const params = initParams(network, seed);
  for (const p of params.values()) {
    p.weights.forEach((v, i) => (p.weights[i] = v * 0.5 + 0.3 * Math.sin(3 * i + seed + 0.5)));
    p.biases.forEach((_, i) => (p.biases[i] = 0.1 * Math.sin(i + seed + 0.5)));
  }
  return params;
}

function maxRelativeError(network: Network, params: Params, batch: Batch): number {
  const exact = bp(network, params, batch);
  const h = 1e-5;
  let worst = 0;
  for (const layer of paramLayers(network.layers)) {
    const p = params.get(layer.name)!;
    const g = exact.gradients.get(layer.name)!;
    for (const slot of ['weights', 'biases'] as const) {
      let diff = 0;
      let norm = 0;
      p[slot].forEach((v, i) => {
        p[slot][i] = v + h;
        const up = networkLoss(network, params, batch);
        p[slot][i] = v - h;
        const down = networkLoss(network, params, batch);
        p[slot][i] = v;
        const fd = (up - down) / (2 * h);
        diff += (fd - g[slot][i]!) ** 2;
        norm += fd * fd;
      });
      if (norm > 0) worst = Math.max(worst, Math.sqrt(diff) / Math.sqrt(norm));
    }
  }
  return worst;
}

/** A causal decoder over [tokens, width] inputs, mean-pooled into `classes` scores. */
function decoder(tokens: number, width: number, heads: number, classes: number): Network {
  const network: Network = {
    name: 'decoder',
    inputShape: [tokens, width],
    classes,
    layers: [
      { kind: 'position-embedding', name: 'position', tokens, features: width },
      ...transformerBlock('block', { width, heads, mlp: width + 2, causal: true }),
      { kind: 'layernorm', name: 'ln', features: width },
      { kind: 'mean-pool', name: 'pool' },
      { kind: 'linear', name: 'head', inFeatures: width, outFeatures: classes },
    ],
  };
  inferShapes(network);
  return network;
}

test.prop([fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 3 }), fc.nat(1000)], { numRuns: 6 })(
  'BP matches central differences on drawn vision transformers (patches, class token, class pooling)',
  (heads, batchSize, seed) => {
    const network = vit({
      name: 'vit',
      inputShape: [2, 4, 4],
      classes: 3,
      patch: 2,
      width: 4 * heads,
      heads,
      mlp: 5,
      blocks: 1,
    });
    expect(maxRelativeError(network, paramsFor(network, seed), batchFor(network, batchSize, seed))).toBeLessThan(1e-6);
  },
);

test.prop([fc.integer({ min: 2, max: 4 }), fc.integer({ min: 1, max: 2 }), fc.nat(1000)], { numRuns: 6 })(
  'BP matches central differences on drawn causal decoders (position embedding, mean pooling)',
  (tokens, heads, seed) => {
    const network = decoder(tokens, 4 * heads, heads, 3);
    expect(maxRelativeError(network, paramsFor(network, seed), batchFor(network, 2, seed))).toBeLessThan(1e-6);
  },
);

test('a planted wrong attention gradient (the causal mask ignored in backward) fails the same check', () => {
  const network = decoder(3, 4, 1, 3);
  const params = paramsFor(network, 7);
  const batch = batchFor(network, 2, 7);
  const broken: Network = {
    ...network,
    layers: network.layers.map((l) =>
      l.kind === 'residual'
        ? { ...l, body: l.body.map((b) => (b.kind === 'attention' ? { ...b, causal: false } : b)) }
        : l,
    ),
  };
  const g = bp(broken, params, batch).gradients;
  const exact = bp(network, params, batch).gradients;
  const diff = [...exact.entries()].some(([name, e]) =>
    e.weights.some((v, i) => Math.abs(v - g.get(name)!.weights[i]!) > 1e-6),
  );
  expect(diff).toBe(true);
  expect(maxRelativeError(network, params, batch)).toBeLessThan(1e-6);
});
