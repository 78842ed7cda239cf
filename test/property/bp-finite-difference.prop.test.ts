// BP (exact reverse mode over the reference kernels) against central finite differences in float64 on
// fast-check-drawn MLPs (every activation of the op table), small CNNs (conv + batchnorm + relu + max/avg pooling), a residual block
// a padded max pool with a projection-shortcut residual, and padded average pools.
// Batchnorm statistics are frozen from the clean pass in both, the convention every estimator uses.
// Relative error per layer: ||g_bp - g_fd|| / ||g_fd|| <= 1e-6.
import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { ACTIVATION_NAMES } from '../../kernels/ops/activations.js';
import { bp } from '../../src/estimators/bp.js';
import { forward } from '../../src/estimators/forward.js';
import { networkLoss } from '../../src/estimators/loss.js';
import { initParams } from '../../src/estimators/params.js';
import { sampleNoise } from '../../kernels/rng.js';
import type { Batch, Params } from '../../src/estimators/types.js';
import { mlp } from '../../src/models/builders.js';
import { elementCount, paramLayers, type Layer, type Network } from '../../src/models/layers.js';
import { inferShapes } from '../../src/models/shapes.js';
import { projectionCnn } from '../fixtures/bridge-networks.js';

function batchFor(network: Network, size: number, seed: number): Batch {
  const input = sampleNoise({
    seed,
    step: 1,
    layer: 0,
    samples: size,
    copies: 1,
    units: elementCount(network.inputShape),
  });
  return { input, labels: Int32Array.from({ length: size }, (_, i) => (i * 7 + seed) % network.classes), size };
}

/**
 * Biases start non-zero (sin of a non-multiple of pi) so their gradients are exercised in every
 * regime, and a dead ReLU never feeds a pre-activation of exactly 0, the kink where central
 * differences see half a slope that no derivative has.
 */
function paramsFor(network: Network, seed: number): Params {
  const params = initParams(network, seed);
  for (const p of params.values()) p.biases.forEach((_, i) => (p.biases[i] = 0.1 * Math.sin(i + seed + 0.5)));
  return params;
}

function maxRelativeError(network: Network, params: Params, batch: Batch): number {
  const { bnStats } = forward({ network, params, input: batch.input, rows: batch.size, keep: 'none' });
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
        const up = networkLoss(network, params, batch, bnStats);
        p[slot][i] = v - h;
        const down = networkLoss(network, params, batch, bnStats);
        p[slot][i] = v;
        const fd = (up - down) / (2 * h);
        diff += (fd - g[slot][i]!) ** 2;
        norm += fd * fd;
      });
      worst = Math.max(worst, Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-12));
    }
  }
  return worst;
}

test.prop(
  [
    fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 2, maxLength: 4 }),
    fc.constantFrom(...ACTIVATION_NAMES),
    fc.integer({ min: 1, max: 4 }),
    fc.nat(1000),
  ],
  { numRuns: 15 },
)('BP matches central differences on drawn MLPs', (widths, activation, batchSize, seed) => {
  const network = mlp([...widths, 3], activation);
  expect(maxRelativeError(network, paramsFor(network, seed), batchFor(network, batchSize, seed))).toBeLessThan(1e-6);
});

function smallCnn(
  c: number,
  size: number,
  channels: number,
  stride: number,
  padding: number,
  pool: 'maxpool' | 'avgpool',
  batchNorm: boolean,
): Network {
  const side = Math.floor((size + 2 * padding - 3) / stride) + 1;
  const pooled = Math.floor((side - 2) / 2) + 1;
  const network: Network = {
    name: 'small-cnn',
    inputShape: [c, size, size],
    classes: 3,
    layers: [
      { kind: 'conv2d', name: 'conv', inChannels: c, outChannels: channels, kernelSize: 3, stride, padding },
      ...(batchNorm ? [{ kind: 'batchnorm', name: 'bn', channels } as const] : []),
      { kind: 'relu', name: 'relu' },
      { kind: pool, name: 'pool', size: 2, stride: 2 },
      { kind: 'flatten', name: 'flatten' },
      { kind: 'linear', name: 'fc', inFeatures: channels * pooled * pooled, outFeatures: 3 },
    ],
  };
  inferShapes(network);
  return network;
}

test.prop(
  [
    fc.integer({ min: 1, max: 2 }),
    fc.integer({ min: 4, max: 6 }),
    fc.integer({ min: 1, max: 3 }),
    fc.integer({ min: 1, max: 2 }),
    fc.integer({ min: 0, max: 1 }),
    fc.constantFrom<'maxpool' | 'avgpool'>('maxpool', 'avgpool'),
    fc.boolean(),
    fc.nat(1000),
  ],
  { numRuns: 12 },
)(
  'BP matches central differences on drawn small CNNs (conv, batchnorm, relu, pooling)',
  (c, size, channels, stride, padding, pool, batchNorm, seed) => {
    fc.pre(Math.floor((size + 2 * padding - 3) / stride) + 1 >= 2);
    const network = smallCnn(c, size, channels, stride, padding, pool, batchNorm);
    expect(maxRelativeError(network, paramsFor(network, seed), batchFor(network, 3, seed))).toBeLessThan(1e-6);
  },
);

test.prop([fc.integer({ min: 1, max: 3 }), fc.boolean(), fc.nat(1000)], { numRuns: 8 })(
  'BP matches central differences on a residual block (conv-bn-relu-conv-bn inside, skip added)',
  (channels, batchNorm, seed) => {
    const bn = (name: string): Layer[] => (batchNorm ? [{ kind: 'batchnorm', name, channels }] : []);
    const network: Network = {
      name: 'residual-block',
      inputShape: [channels, 4, 4],
      classes: 3,
      layers: [
        {
          kind: 'residual',
          name: 'res',
          body: [
            {
              kind: 'conv2d',
              name: 'res.conv1',
              inChannels: channels,
              outChannels: channels,
              kernelSize: 3,
              stride: 1,
              padding: 1,
            },
            ...bn('res.bn1'),
            { kind: 'tanh', name: 'res.tanh' },
            {
              kind: 'conv2d',
              name: 'res.conv2',
              inChannels: channels,
              outChannels: channels,
              kernelSize: 3,
              stride: 1,
              padding: 1,
            },
            ...bn('res.bn2'),
          ],
        },
        { kind: 'relu', name: 'relu' },
        { kind: 'avgpool', name: 'pool', size: 4, stride: 4 },
        { kind: 'flatten', name: 'flatten' },
        { kind: 'linear', name: 'fc', inFeatures: channels, outFeatures: 3 },
      ],
    };
    inferShapes(network);
    expect(maxRelativeError(network, paramsFor(network, seed), batchFor(network, 3, seed))).toBeLessThan(1e-6);
  },
);

test.prop([fc.nat(1000)], { numRuns: 6 })(
  'BP matches central differences through a padded max pool and a residual with a projection shortcut',
  (seed) => {
    expect(
      maxRelativeError(projectionCnn, paramsFor(projectionCnn, seed), batchFor(projectionCnn, 3, seed)),
    ).toBeLessThan(1e-6);
  },
);

test.prop([fc.integer({ min: 1, max: 3 }), fc.integer({ min: 2, max: 3 }), fc.boolean(), fc.nat(1000)], { numRuns: 8 })(
  'BP matches central differences through padded average pools (divisor: in-bounds taps or the whole window)',
  (channels, size, countIncludePad, seed) => {
    const side = Math.floor((5 + 2 * (size - 1) - size) / 2) + 1;
    const network: Network = {
      name: 'padded-avgpool',
      inputShape: [1, 5, 5],
      classes: 3,
      layers: [
        { kind: 'conv2d', name: 'conv', inChannels: 1, outChannels: channels, kernelSize: 3, stride: 1, padding: 1 },
        { kind: 'tanh', name: 'tanh' },
        { kind: 'avgpool', name: 'pool', size, stride: 2, padding: size - 1, countIncludePad },
        { kind: 'flatten', name: 'flat' },
        { kind: 'linear', name: 'fc', inFeatures: channels * side * side, outFeatures: 3 },
      ],
    };
    inferShapes(network);
    expect(maxRelativeError(network, paramsFor(network, seed), batchFor(network, 3, seed))).toBeLessThan(1e-6);
  },
);
