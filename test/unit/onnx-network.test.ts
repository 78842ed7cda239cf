// ONNX files as alrflow networks: a ResNet-shaped file (conv-BN-ReLU, identity residuals, strided convs,
// pools, shape-arithmetic flatten, Gemm) becomes the layer chain, its initializers the parameters, and the
// float64 reference forward pass equals onnxruntime-node's output within 1e-4 relative. Structures the
// layer schema lacks (projection shortcuts, padded pools) exit 2 naming the node.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { expect, test } from 'vitest';
import { forward } from '../../src/estimators/forward.js';
import { paramLayers } from '../../src/models/layers.js';
import { loadNetwork } from '../../src/models/load-network.js';
import { loadOnnxNetwork } from '../../src/models/importers/onnx-network.js';
import { resnetOnnx, residualNetOnnx } from '../fixtures/onnx-builder.js';

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

test("torchvision ResNet-18's projection shortcut and padded max pool are refused naming the node", () => {
  const file = join(dir, 'resnet18-small.onnx');
  writeFileSync(file, resnetOnnx({ size: 32, widths: [4, 8, 8, 8], blocks: 1, classes: 10, weights: 'zeros' }));
  expect(() => loadOnnxNetwork(file)).toThrow(/node MaxPool_\d+ \(MaxPool\): this MaxPool \(padded/);
});
