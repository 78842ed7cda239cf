// ONNX files as alrflow networks: a ResNet-shaped file (conv-BN-ReLU, identity residuals, strided convs,
// pools, shape-arithmetic flatten, Gemm) becomes the layer chain, its initializers the parameters, and the
// float64 reference forward pass equals onnxruntime-node's output within 1e-4 relative; so does
// torchvision's ResNet layout (projection shortcuts, padded max pool). Structures the layer schema lacks
// (three-way forks) exit 2 naming the node; padded AveragePool (count_include_pad 0 and 1) imports.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { expect, test } from 'vitest';
import { forward } from '../../src/estimators/forward.js';
import { paramLayers } from '../../src/models/layers.js';
import { loadNetwork } from '../../src/models/load-network.js';
import { loadOnnxNetwork } from '../../src/models/importers/onnx-network.js';
import { OnnxBuilder, resnetOnnx, residualNetOnnx } from '../fixtures/onnx-builder.js';

const dir = mkdtempSync(join(tmpdir(), 'alrflow-onnx-net-'));

function seededInput(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sin(seed * 12.9898 + i * 78.233) * 0.5;
  return out;
}

test('ResNet-shaped file: the reference forward pass equals onnxruntime within 1e-4 relative', async () => {
  const bytes = residualNetOnnx(16, [8, 16], 10);
  const file = join(dir, 'resnet-shaped.onnx');
  writeFileSync(file, bytes);
  const { network, weights } = loadOnnxNetwork(file);
  expect(network.inputShape).toEqual([3, 16, 16]);
  expect(network.classes).toBe(10);
  expect(network.layers.filter((l) => l.kind === 'residual')).toHaveLength(2);
  expect(paramLayers(network.layers).map((l) => l.kind)).not.toContain('batchnorm');
  const session = await ort.InferenceSession.create(bytes);
  for (const seed of [1, 2, 3]) {
    const x = seededInput(3 * 16 * 16, seed);
    const expected = (await session.run({ input: new ort.Tensor('float32', x, [1, 3, 16, 16]) }))[
      session.outputNames[0] ?? ''
    ]?.data as Float32Array;
    const { logits } = forward({ network, params: weights, input: Float64Array.from(x), rows: 1, keep: 'none' });
    const scale = Math.max(...Array.from(expected, Math.abs));
    const worst = Math.max(...Array.from(logits, (v, i) => Math.abs(v - (expected[i] ?? 0))));
    expect(scale).toBeGreaterThan(1e-3);
    expect(worst / scale).toBeLessThan(1e-4);
  }
});

test('--model FILE.onnx resolves through loadNetwork', async () => {
  const file = join(dir, 'via-load.onnx');
  writeFileSync(file, residualNetOnnx(8, [4], 3));
  const network = await loadNetwork(file);
  expect(network.name).toBe('via-load');
  expect(network.layers.at(-1)).toMatchObject({ kind: 'linear', outFeatures: 3 });
});

test("torchvision ResNet-18's layout (projection shortcuts, padded max pool): forward equals onnxruntime", async () => {
  const bytes = resnetOnnx({ size: 32, widths: [4, 8, 8, 8], blocks: 2, classes: 10 });
  const file = join(dir, 'resnet18-small.onnx');
  writeFileSync(file, bytes);
  const { network, weights } = loadOnnxNetwork(file);
  const residuals = network.layers.filter((l) => l.kind === 'residual');
  expect(residuals).toHaveLength(8);
  expect(residuals.filter((l) => l.shortcut)).toHaveLength(3);
  expect(residuals.find((l) => l.shortcut)?.shortcut?.map((l) => l.kind)).toEqual(['conv2d']);
  expect(network.layers.find((l) => l.kind === 'maxpool')).toMatchObject({ size: 3, stride: 2, padding: 1 });
  const session = await ort.InferenceSession.create(bytes);
  for (const seed of [1, 2]) {
    const x = seededInput(3 * 32 * 32, seed);
    const expected = (await session.run({ 'input.1': new ort.Tensor('float32', x, [1, 3, 32, 32]) }))[
      session.outputNames[0] ?? ''
    ]?.data as Float32Array;
    const { logits } = forward({ network, params: weights, input: Float64Array.from(x), rows: 1, keep: 'none' });
    const scale = Math.max(...Array.from(expected, Math.abs));
    const worst = Math.max(...Array.from(logits, (v, i) => Math.abs(v - (expected[i] ?? 0))));
    expect(scale).toBeGreaterThan(1e-3);
    expect(worst / scale).toBeLessThan(1e-4);
  }
});

test.each([0, 1])(
  'AveragePool with pads, count_include_pad %i: the forward pass equals onnxruntime within 1e-4 relative',
  async (countIncludePad) => {
    const b = new OnnxBuilder();
    const x = b.input('x', [1, 2, 7, 7]);
    const conv = b.op('Conv', [x, b.weight('w', [3, 2, 3, 3], 0.4), b.weight('b', [3])], {
      kernel_shape: [3, 3],
      pads: [1, 1, 1, 1],
    });
    const pool = b.op('AveragePool', [b.op('Tanh', [conv])], {
      kernel_shape: [3, 3],
      strides: [2, 2],
      pads: [1, 1, 1, 1],
      count_include_pad: countIncludePad,
    });
    const flat = b.op('Flatten', [pool], { axis: 1 });
    b.output(b.op('Gemm', [flat, b.weight('fc', [4, 3 * 4 * 4], 0.3), b.weight('fcb', [4])], { transB: 1 }), [1, 4]);
    const bytes = b.encode();
    const file = join(dir, `padded-avg-${countIncludePad}.onnx`);
    writeFileSync(file, bytes);
    const { network, weights } = loadOnnxNetwork(file);
    const pooled = network.layers.find((l) => l.kind === 'avgpool');
    expect(pooled).toMatchObject({ size: 3, stride: 2, padding: 1 });
    expect(pooled?.kind === 'avgpool' && pooled.countIncludePad === true).toBe(countIncludePad === 1);
    const session = await ort.InferenceSession.create(bytes);
    const input = seededInput(2 * 7 * 7, 4);
    const expected = (await session.run({ x: new ort.Tensor('float32', input, [1, 2, 7, 7]) }))[
      session.outputNames[0] ?? ''
    ]?.data as Float32Array;
    const error = (layers: typeof network.layers): number => {
      const run = forward({
        network: { ...network, layers },
        params: weights,
        input: Float64Array.from(input),
        rows: 1,
        keep: 'none',
      });
      const scale = Math.max(...Array.from(expected, Math.abs));
      return Math.max(...Array.from(run.logits, (v, i) => Math.abs(v - (expected[i] ?? 0)))) / scale;
    };
    expect(error(network.layers)).toBeLessThan(1e-4);
    // The other divisor (the broken control) is off by far more.
    const flipped = network.layers.map((l) =>
      l.kind === 'avgpool' ? { ...l, countIncludePad: countIncludePad === 0 } : l,
    );
    expect(error(flipped)).toBeGreaterThan(1e-2);
  },
);

test('a three-way fork is refused naming the node', () => {
  const fork = new OnnxBuilder();
  const y = fork.input('y', [1, 4]);
  const [a, b, c] = ['Relu', 'Tanh', 'Sigmoid'].map((op) => fork.op(op, [y]));
  fork.output(fork.op('Add', [fork.op('Add', [a!, b!]), c!]));
  const forkFile = join(dir, 'fork3.onnx');
  writeFileSync(forkFile, fork.encode());
  expect(() => loadOnnxNetwork(forkFile)).toThrow(/a fork of y into 3 branches/);
});
