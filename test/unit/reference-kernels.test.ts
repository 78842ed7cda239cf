// The float64 reference kernels against independent definitions: matmul against explicit sums,
// conv2d against matmul (1x1 conv) and the adjoint identities that tie conv2d to its two gradient
// kernels, pooling and softmax cross-entropy against hand-derived values, and typed errors on bad input.
import { describe, expect, test } from 'vitest';
import {
  addNoise,
  avgPool,
  avgPoolBackward,
  batchnorm,
  biasAdd,
  channelSum,
  conv2d,
  conv2dInputGrad,
  conv2dWeightGrad,
  errorSignal,
  lrGradient,
  matmul,
  maxPool,
  maxPoolBackward,
  activation,
  softmaxCrossEntropy,
  transpose,
} from '../../kernels/reference/index.js';
import { InvalidInputError } from '../../src/errors.js';
import { sampleNoise } from '../../kernels/rng.js';

const draw = (n: number, layer: number): Float64Array =>
  sampleNoise({ seed: 5, step: 0, layer, samples: 1, copies: 1, units: n });
const dot = (a: Float64Array, b: Float64Array): number => a.reduce((s, v, i) => s + v * b[i]!, 0);

describe('matmul and friends', () => {
  test('matmul equals the explicit triple sum', () => {
    const [m, k, n] = [3, 4, 5];
    const a = draw(m * k, 1);
    const b = draw(k * n, 2);
    const c = matmul(a, b, m, k, n);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += a[i * k + p]! * b[p * n + j]!;
        expect(c[i * n + j]).toBeCloseTo(s, 12);
      }
  });
  test('lrGradient is delta^T x / normaliser and column sums', () => {
    const delta = draw(6, 3);
    const x = draw(12, 4);
    const g = lrGradient(delta, x, 3, 2, 4, 6);
    const expected = matmul(transpose(delta, 3, 2), x, 2, 3, 4).map((v) => v / 6);
    expect(Array.from(g.weights)).toEqual(Array.from(expected).map((v) => expect.closeTo(v, 12)));
    expect(g.biases[1]).toBeCloseTo((delta[1]! + delta[3]! + delta[5]!) / 6, 12);
  });
});

describe('conv2d', () => {
  const d = { batch: 2, inChannels: 3, height: 5, width: 4, outChannels: 2, kernelSize: 3, stride: 2, padding: 1 };
  test('a 1x1 convolution is a per-pixel matmul', () => {
    const x = draw(1 * 3 * 2 * 2, 5);
    const w = draw(2 * 3, 6);
    const out = conv2d(x, w, {
      batch: 1,
      inChannels: 3,
      height: 2,
      width: 2,
      outChannels: 2,
      kernelSize: 1,
      stride: 1,
      padding: 0,
    });
    const expected = matmul(w, x, 2, 3, 4);
    expect(Array.from(out)).toEqual(Array.from(expected).map((v) => expect.closeTo(v, 12)));
  });
  test('adjoint identities: <conv(x,w), g> = <x, inputGrad(g,w)> = <w, weightGrad(g,x)>', () => {
    const x = draw(2 * 3 * 5 * 4, 7);
    const w = draw(2 * 3 * 9, 8);
    const y = conv2d(x, w, d);
    const g = draw(y.length, 9);
    expect(dot(x, conv2dInputGrad(g, w, d))).toBeCloseTo(dot(y, g), 10);
    expect(dot(w, conv2dWeightGrad(g, x, d))).toBeCloseTo(dot(y, g), 10);
  });
});

describe('elementwise, pooling, normalisation, loss', () => {
  test('biasAdd, channelSum, relu, addNoise and errorSignal on hand values', () => {
    const x = Float64Array.from([1, -2, 3, -4]);
    expect(Array.from(biasAdd(x, Float64Array.from([10, 20]), 1, 2, 2))).toEqual([11, 8, 23, 16]);
    expect(Array.from(channelSum(x, 2, 2, 1))).toEqual([4, -6]);
    expect(Array.from(activation('relu', x))).toEqual([1, 0, 3, 0]);
    expect(Array.from(addNoise(x, Float64Array.from([1, 1, -1, 2]), Float64Array.from([0.5, 2]), 2, 2))).toEqual([
      1.5, 0, 2.5, 0,
    ]);
    expect(
      Array.from(
        errorSignal(Float64Array.from([2, 3]), Float64Array.from([1, -1, 1, 1]), Float64Array.from([0.5, 2]), {
          rows: 2,
          channels: 2,
          spatial: 1,
        }),
      ),
    ).toEqual([4, -1, 6, 1.5]);
  });
  test('max and average pooling with their backward kernels', () => {
    const x = Float64Array.from([1, 5, 2, 0, 3, 4, 7, 1, 0, 0, 9, 8, 1, 2, 3, 6]);
    const dims = { rows: 1, channels: 1, height: 4, width: 4, size: 2, stride: 2 };
    const { output, argmax } = maxPool(x, dims);
    expect(Array.from(output)).toEqual([5, 7, 2, 9]);
    expect(Array.from(maxPoolBackward(Float64Array.from([1, 1, 1, 1]), argmax, 16)).reduce((a, b) => a + b)).toBe(4);
    expect(Array.from(avgPool(x, dims))).toEqual([3.25, 2.5, 0.75, 6.5]);
    expect(Array.from(avgPoolBackward(Float64Array.from([4, 0, 0, 0]), dims)).slice(0, 2)).toEqual([1, 1]);
  });
  test('batchnorm normalises each channel to mean 0, variance 1 (up to epsilon) before the affine map', () => {
    const x = draw(4 * 2 * 3, 10);
    const { normalized, output } = batchnorm(x, Float64Array.from([2, 1]), Float64Array.from([0, 5]), {
      rows: 4,
      channels: 2,
      spatial: 3,
    });
    const ch0 = Array.from(normalized).filter((_, i) => Math.floor(i / 3) % 2 === 0);
    expect(ch0.reduce((a, b) => a + b) / ch0.length).toBeCloseTo(0, 12);
    expect(ch0.reduce((a, b) => a + b * b, 0) / ch0.length).toBeCloseTo(1, 3);
    expect(output[3]).toBeCloseTo(normalized[3]! + 5, 12);
  });
  test('softmax cross-entropy: uniform logits give log(classes); large logits stay finite', () => {
    expect(softmaxCrossEntropy(new Float64Array(4), [2], 1, 4).losses[0]).toBeCloseTo(Math.log(4), 12);
    const { losses } = softmaxCrossEntropy(Float64Array.from([1000, 0]), [1], 1, 2);
    expect(losses[0]).toBeCloseTo(1000, 9);
  });
});

describe('bad input raises InvalidInputError naming the kernel and the value', () => {
  test.each([
    [
      'matmul shape',
      () => matmul(new Float64Array(5), new Float64Array(6), 2, 3, 2),
      /matmul: a has 5 elements; expected 6/,
    ],
    ['matmul NaN', () => matmul(Float64Array.from([1, NaN]), new Float64Array(2), 1, 2, 1), /matmul: a\[1\] = NaN/],
    [
      'conv Inf',
      () =>
        conv2d(Float64Array.from([Infinity]), new Float64Array(1), {
          batch: 1,
          inChannels: 1,
          height: 1,
          width: 1,
          outChannels: 1,
          kernelSize: 1,
          stride: 1,
          padding: 0,
        }),
      /conv2d: x\[0\] = Infinity/,
    ],
    [
      'zero dim',
      () => activation('relu', new Float64Array(0)) && matmul(new Float64Array(0), new Float64Array(0), 0, 1, 1),
      /matmul: dimension m = 0/,
    ],
    [
      'sigma <= 0',
      () => addNoise(new Float64Array(2), new Float64Array(2), Float64Array.from([1, 0]), 1, 2),
      /addNoise: sigma\[1\] = 0/,
    ],
    ['label range', () => softmaxCrossEntropy(new Float64Array(2), [2], 1, 2), /labels\[0\] = 2/],
  ])('%s', (_, run, message) => {
    expect(run).toThrow(InvalidInputError);
    expect(run).toThrow(message);
  });
});
