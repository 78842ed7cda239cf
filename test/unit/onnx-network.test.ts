// ONNX files as alrflow networks: a ResNet-shaped file (conv-BN-ReLU, identity residuals, strided convs,
// pools, shape-arithmetic flatten, Gemm) becomes the layer chain, its initializers the parameters, and the
// float64 reference forward pass equals onnxruntime-node's output within 1e-4 relative; so does
// torchvision's ResNet layout (projection shortcuts, padded max pool). Structures the layer schema lacks
// (padded average pools, three-way forks) exit 2 naming the node.
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

test('a padded AveragePool and a three-way fork are refused naming the node', () => {
  const avg = new OnnxBuilder();
  const x = avg.input('x', [1, 2, 6, 6]);
  avg.output(avg.op('AveragePool', [x], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }));
  const avgFile = join(dir, 'padded-avg.onnx');
  writeFileSync(avgFile, avg.encode());
  expect(() => loadOnnxNetwork(avgFile)).toThrow(/node AveragePool_0 \(AveragePool\): this AveragePool \(padded/);
  const fork = new OnnxBuilder();
  const y = fork.input('y', [1, 4]);
  const [a, b, c] = ['Relu', 'Tanh', 'Sigmoid'].map((op) => fork.op(op, [y]));
  fork.output(fork.op('Add', [fork.op('Add', [a!, b!]), c!]));
  const forkFile = join(dir, 'fork3.onnx');
  writeFileSync(forkFile, fork.encode());
  expect(() => loadOnnxNetwork(forkFile)).toThrow(/a fork of y into 3 branches/);
});
