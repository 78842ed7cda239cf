// The compiler's kept bytes per class (computed from its graph's tensor shapes) against (1) the
// shared rule worked out by hand for a tiny MLP, and (2) the bytes the reference estimators
// measure from the buffers they actually keep, for the same network, K and batch.
import { describe, expect, test } from 'vitest';
import { stepGraph } from '../../src/compiler/compile.js';
import { resolveCompileOptions } from '../../src/compiler/compile-options.js';
import { keptBytes } from '../../src/compiler/kept-bytes.js';
import { estimate, initParams } from '../../src/estimators/index.js';
import type { Method } from '../../src/compiler/methods/names.js';
import { cnn, mlp, resnet5 } from '../../src/models/builders.js';
import type { Network } from '../../src/models/layers.js';

const kept = (
  net: Network,
  method: Method,
  copies: number,
  batch: number,
  noiseStorage?: 'float' | 'sign-bits' | 'regenerate',
) =>
  keptBytes(
    stepGraph(
      net,
      resolveCompileOptions({
        method,
        copies,
        batch,
        schedule: 'sequential',
        ...(noiseStorage ? { noiseStorage } : {}),
      }),
    ),
  );

describe('by hand: MLP 8-4-3, N=3, K=2, 4-byte floats', () => {
  // Layers fc1 (8->4, 36 params), relu1, fc2 (4->3, 15 params).
  const net = mlp([8, 4, 3]);
  test('lr: fc1 input once per sample, fc2 input per copy; float noise per copy; N*K losses', () => {
    expect(kept(net, 'lr', 2, 3)).toEqual({
      activation: (3 * 8 + 6 * 4) * 4,
      noise: 6 * (4 + 3) * 4,
      'sign-bits': 0,
      loss: 6 * 4,
    });
  });
  test('alr: noise as ceil(N*K*out/32) words per layer', () => {
    expect(kept(net, 'alr', 2, 3)).toEqual({
      activation: (3 * 8 + 6 * 4) * 4,
      noise: 0,
      'sign-bits': (1 + 1) * 4,
      loss: 6 * 4,
    });
  });
  test('bp: inputs of fc1, relu1 and fc2 on N rows; N losses', () => {
    expect(kept(net, 'bp', 2, 3)).toEqual({ activation: 3 * (8 + 4 + 4) * 4, noise: 0, 'sign-bits': 0, loss: 3 * 4 });
  });
  test('es / aes: K x parameters of float noise or sign bits per layer; no activations', () => {
    expect(kept(net, 'es', 2, 3)).toEqual({ activation: 0, noise: 2 * (36 + 15) * 4, 'sign-bits': 0, loss: 6 * 4 });
    expect(kept(net, 'aes', 2, 3)).toEqual({
      activation: 0,
      noise: 0,
      'sign-bits': (Math.ceil(72 / 32) + Math.ceil(30 / 32)) * 4,
      loss: 6 * 4,
    });
  });
  test('regenerated noise keeps nothing', () => {
    expect(kept(net, 'alr', 2, 3, 'regenerate')).toMatchObject({ noise: 0, 'sign-bits': 0 });
  });
});

const networks = [
  mlp([12, 7, 5, 3]),
  cnn({ inputShape: [1, 8, 8], classes: 3 }),
  resnet5({ inputShape: [2, 8, 8], classes: 4 }),
];
const methodCases: { method: Method; noiseStorage?: 'float' | 'sign-bits' | 'regenerate' }[] = [
  { method: 'bp' },
  { method: 'lr' },
  { method: 'alr' },
  { method: 'es' },
  { method: 'aes' },
  { method: 'alr', noiseStorage: 'regenerate' },
  { method: 'lr', noiseStorage: 'regenerate' },
];

describe.each(networks)("against the estimators' measured bytes: $name", (net) => {
  test.each(methodCases)('$method $noiseStorage', ({ method, noiseStorage }) => {
    const copies = 3;
    const batchSize = 2;
    const inputElements = net.inputShape.reduce((a, b) => a * b, 1);
    const batch = {
      input: new Float64Array(batchSize * inputElements).map((_, i) => Math.sin(i)),
      labels: new Int32Array(batchSize).map((_, i) => i % net.classes),
      size: batchSize,
    };
    const measured = estimate(net, initParams(net, 1), batch, {
      method,
      copies,
      sigma: 0.1,
      ...(noiseStorage ? { noiseStorage } : {}),
    }).kept.byClass;
    expect(kept(net, method, copies, batchSize, noiseStorage)).toEqual(measured);
  });
});
