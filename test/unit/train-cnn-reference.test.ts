// A short CNN training run through the real train loop on the `reference` backend: the compiled
// step graph (conv, max-pool, flatten, linear; BP) learns MNIST digits well above the majority
// class. Small on purpose (the float64 conv kernels are slow): 320 training samples, 2 epochs.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { loadDataset } from '../../src/train/datasets/load-dataset.js';
import { train } from '../../src/train/train.js';
import { defaultTrainConfig } from '../../src/train/train-config.js';
import { silent } from '../fixtures/train-short-runs.js';

test('cnn on MNIST via the step graph (reference, BP, 2 epochs on 320 samples) reaches 60% test accuracy', async () => {
  const testLimit = 200;
  const summary = await train(
    {
      ...defaultTrainConfig,
      model: 'cnn',
      dataset: 'mnist',
      method: 'bp',
      batch: 16,
      epochs: 2,
      backend: 'reference',
      seed: 1,
      lr: 0.003,
      optimizer: 'adam',
      limit: 320,
      testLimit,
    },
    { outDir: mkdtempSync(join(tmpdir(), 'alrflow-cnn-')), resume: false, force: true, progress: silent },
  );
  const { test: split, classes } = loadDataset('mnist', { testLimit });
  const counts = new Array<number>(classes).fill(0);
  for (const l of split.labels) counts[l]!++;
  expect(summary.backend).toBe('reference');
  expect(summary.final!.testAccuracy).toBeGreaterThanOrEqual(0.6);
  expect(summary.final!.testAccuracy).toBeGreaterThan(Math.max(...counts) / split.count + 0.1);
}, 60_000);
