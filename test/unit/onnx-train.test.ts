// train and probe from an ONNX file: its initializers are the runtime's starting parameters, so the first
// BP step's loss on a batch equals the softmax cross-entropy of onnxruntime-node's logits on that batch;
// --init random (no initialParams) starts elsewhere; a ViT-shaped file (token layers) starts from its initializers too
// and a few BP steps lower its loss; a file whose input differs from the dataset is refused.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { expect, test } from 'vitest';
import { Runtime } from '../../src/train/runtime/runtime.js';
import { loadOnnxNetwork } from '../../src/models/importers/onnx-network.js';
import { startParams } from '../../src/compiler/start-params.js';
import { stepSource } from '../../src/compiler/step-source.js';
import { trainNetwork } from '../../src/train/train-setup.js';
import { defaultTrainConfig } from '../../src/train/train-config.js';
import { residualNetOnnx, resnetOnnx } from '../fixtures/onnx-builder.js';
import { smallVit, vitOnnx } from '../fixtures/onnx-vit.js';

const dir = mkdtempSync(join(tmpdir(), 'alrflow-onnx-train-'));
const file = join(dir, 'mnist-resnet.onnx');
const bytes = residualNetOnnx(28, [4, 8], 10, 1);
writeFileSync(file, bytes);

async function onnxruntimeLoss(
  x: Float64Array,
  labels: Int32Array,
  samples: number,
  model: Uint8Array = bytes,
): Promise<number> {
  const session = await ort.InferenceSession.create(model);
  const per = x.length / samples;
  let sum = 0;
  for (let n = 0; n < samples; n++) {
    const input = new ort.Tensor('float32', Float32Array.from(x.subarray(n * per, (n + 1) * per)), [1, 1, 28, 28]);
    const feeds = { [session.inputNames[0] ?? '']: input };
    const logits = Array.from((await session.run(feeds))[session.outputNames[0] ?? '']?.data as Float32Array);
    const max = Math.max(...logits);
    const logSum = Math.log(logits.reduce((s, v) => s + Math.exp(v - max), 0)) + max;
    sum += logSum - (logits[labels[n] ?? 0] ?? 0);
  }
  return sum / samples;
}

const method = {
  method: 'bp' as const,
  copies: 1,
  sigma: 0.1,
  baseline: 'none' as const,
  encoding: 'sign-noise' as const,
  antithetic: false,
  layerwise: false,
};
const optimizer = { kind: 'sgd' as const, momentum: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8 };

test("the first step's loss from the file's initializers equals onnxruntime's on the same batch", async () => {
  const samples = 4;
  const x = Float64Array.from({ length: samples * 784 }, (_, i) => Math.abs(Math.sin(i * 0.37)));
  const labels = Int32Array.from([3, 1, 4, 1]);
  const expected = await onnxruntimeLoss(x, labels, samples);
  const network = stepSource(loadOnnxNetwork(file).network);
  const start = await startParams(file);
  expect(start.initialParams).toBeDefined();
  const runtime = await Runtime.create({ network, ...start, backend: 'reference', seed: 1, method, optimizer });
  const loss = (await runtime.gradients({ x, labels, samples }, 0)).meanLoss;
  expect(Math.abs(loss - expected) / expected).toBeLessThan(1e-4);
  expect(await startParams(file, 'random')).toEqual({});
  const other = await Runtime.create({ network, backend: 'reference', seed: 1, method, optimizer });
  expect(Math.abs((await other.gradients({ x, labels, samples }, 0)).meanLoss - expected)).toBeGreaterThan(1e-3);
});

test("torchvision's layout (projection shortcuts, padded max pool): the first step's loss equals onnxruntime's", async () => {
  const model = resnetOnnx({ size: 28, widths: [4, 8, 8, 8], blocks: 1, classes: 10, channels: 1 });
  const projection = join(dir, 'mnist-resnet18-layout.onnx');
  writeFileSync(projection, model);
  const samples = 3;
  const x = Float64Array.from({ length: samples * 784 }, (_, i) => Math.abs(Math.cos(i * 0.21)));
  const labels = Int32Array.from([7, 0, 2]);
  const expected = await onnxruntimeLoss(x, labels, samples, model);
  const network = stepSource(loadOnnxNetwork(projection).network);
  const runtime = await Runtime.create({
    network,
    ...(await startParams(projection)),
    backend: 'reference',
    seed: 1,
    method,
    optimizer,
  });
  const first = await runtime.gradients({ x, labels, samples }, 0);
  expect(Math.abs(first.meanLoss - expected) / expected).toBeLessThan(1e-4);
});

test("a ViT-shaped file: the first step's loss equals onnxruntime's, and a few BP steps from there lower it", async () => {
  const model = vitOnnx(smallVit);
  const vit = join(dir, 'mnist-vit.onnx');
  writeFileSync(vit, model);
  const samples = 4;
  const x = Float64Array.from({ length: samples * 784 }, (_, i) => Math.abs(Math.sin(i * 0.53)));
  const labels = Int32Array.from([2, 9, 5, 0]);
  const expected = await onnxruntimeLoss(x, labels, samples, model);
  const network = stepSource(loadOnnxNetwork(vit).network);
  const start = await startParams(vit);
  expect(start.initialParams).toBeDefined();
  const runtime = await Runtime.create({ network, ...start, backend: 'reference', seed: 1, method, optimizer });
  const batch = { x, labels, samples };
  const first = (await runtime.gradients(batch, 0)).meanLoss;
  expect(Math.abs(first - expected) / expected).toBeLessThan(1e-4);
  for (let step = 0; step < 5; step++) await runtime.trainStep(batch, step, 0.05);
  const after = (await runtime.gradients(batch, 5)).meanLoss;
  expect(after).toBeLessThan(first * 0.8);
});

test('a file whose input differs from the dataset is refused before anything runs', async () => {
  const config = { ...defaultTrainConfig, model: file, dataset: 'cifar10', method: 'bp' as const };
  await expect(trainNetwork(config, { inputShape: [3, 32, 32], classes: 10 })).rejects.toThrow(
    /takes samples of shape \[1, 28, 28\] into 10 classes, but --dataset cifar10 has \[3, 32, 32\]/,
  );
});
