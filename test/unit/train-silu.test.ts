// SiLU trains through the runtime: an Iris MLP with a SiLU hidden layer (the op table's entry, as a
// network file names it: {"kind": "silu"}) learns with BP, LR and ALR on the float64 reference and
// on the CPU default backend (tfjs-wasm), reaching the accuracy the ReLU short runs are held to
// (test/unit/train-methods-reference.test.ts), and beating the majority class by 10 points.
import { describe, expect, test } from 'vitest';
import { mlp } from '../../src/models/builders.js';
import { stepSource } from '../../src/compiler/step-source.js';
import { loadDataset } from '../../src/train/datasets/load-dataset.js';
import { Runtime } from '../../src/train/runtime/runtime.js';
import { defaultTrainConfig } from '../../src/train/train-config.js';
import { methodOptions } from '../../src/train/train-setup.js';

const data = loadDataset('iris');
const width = data.inputShape[0]!;
const network = mlp([width, 16, data.classes], 'silu');
const batchSize = 16;

/** A fixed permutation of the training rows per epoch (an LCG shuffle: the same for every run). */
function order(epoch: number): number[] {
  const rows = Array.from({ length: data.train.count }, (_, i) => i);
  let s = 7919 * (epoch + 1);
  for (let i = rows.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [rows[i], rows[j]] = [rows[j]!, rows[i]!];
  }
  return rows;
}

async function trainedAccuracy(backend: string, method: 'bp' | 'lr' | 'alr'): Promise<number> {
  const config = { ...defaultTrainConfig, model: 'mlp', dataset: 'iris', method, copies: 8 };
  const runtime = await Runtime.create({
    network: stepSource(network),
    backend,
    seed: 1,
    method: methodOptions(config),
    optimizer: { kind: 'adam', momentum: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8 },
  });
  try {
    let step = 0;
    for (let epoch = 0; epoch < 15; epoch++) {
      const rows = order(epoch);
      for (let at = 0; at + batchSize <= rows.length; at += batchSize, step++) {
        const picked = rows.slice(at, at + batchSize);
        const x = new Float64Array(batchSize * width);
        picked.forEach((r, i) => x.set(data.train.features.subarray(r * width, (r + 1) * width), i * width));
        const labels = Int32Array.from(picked, (r) => data.train.labels[r]!);
        await runtime.trainStep({ x, labels, samples: batchSize }, step, 0.02);
      }
    }
    return (await runtime.evaluate(data.test.features, data.test.labels, data.test.count)).accuracy;
  } finally {
    await runtime.dispose();
  }
}

const majority = Math.max(...[0, 1, 2].map((c) => data.test.labels.filter((l) => l === c).length)) / data.test.count;

describe.each(['reference', 'tfjs-wasm'])('SiLU MLP on Iris, %s backend, 15 epochs', (backend) => {
  test.each(['bp', 'lr', 'alr'] as const)('%s reaches test accuracy >= 0.85', async (method) => {
    const accuracy = await trainedAccuracy(backend, method);
    expect(accuracy).toBeGreaterThanOrEqual(0.85);
    expect(accuracy).toBeGreaterThan(majority + 0.1);
  });
});
