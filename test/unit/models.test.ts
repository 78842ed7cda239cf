import { expect, test } from 'vitest';
import { cnn, mlp, resnet5, resnet9 } from '../../src/models/builders.js';
import { paramLayers, parameterCount } from '../../src/models/layers.js';
import { buildModel } from '../../src/models/registry.js';
import { inferShapes } from '../../src/models/shapes.js';
import { ConfigError, InvalidInputError } from '../../src/errors.js';

test('resnet9 has the DAWNBench shape: 8 convs, 8 batchnorms, one linear, ~6.57M parameters', () => {
  const layers = paramLayers(resnet9().layers);
  expect(layers.filter((l) => l.kind === 'conv2d')).toHaveLength(8);
  expect(layers.filter((l) => l.kind === 'batchnorm')).toHaveLength(8);
  const params = layers.reduce((s, l) => s + parameterCount(l).weights + parameterCount(l).biases, 0);
  expect(params).toBe(6_575_370);
});

test('builders take input shape and classes, so MNIST shapes work', () => {
  for (const net of [
    resnet9({ inputShape: [1, 28, 28], classes: 100 }),
    resnet5({ inputShape: [1, 28, 28] }),
    cnn({ inputShape: [1, 28, 28] }),
  ]) {
    const shapes = inferShapes(net);
    expect(shapes.get('fc')?.output).toEqual([net.classes]);
  }
});

test('shape errors name the layer and what was expected', () => {
  const net = mlp([4, 3, 2]);
  net.layers[2] = { kind: 'linear', name: 'fc2', inFeatures: 5, outFeatures: 2 };
  expect(() => inferShapes(net)).toThrow(InvalidInputError);
  expect(() => inferShapes(net)).toThrow(/fc2.*\[3\].*expected \[5\]/);
  expect(() => buildModel('vgg')).toThrow(ConfigError);
});
