// CIFAR-10/100 readers on small files written here in the official binary layouts: record order and
// channel-major pixels, labels (CIFAR-100 fine and coarse), per-channel standardisation from the
// training records, DIR as the folder or its parent, --limit across files, exit-2 errors for missing
// and truncated files; the train command's last layer follows the class count; crop-flip augmentation.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { augmentBatch } from '../../src/train/augment.js';
import { loadDataset } from '../../src/train/datasets/load-dataset.js';
import { readCheckpoint } from '../../src/train/checkpoint.js';
import { cifar100Records, writeCifar10, writeCifar100 } from '../fixtures/cifar-files.js';

const root = mkdtempSync(join(tmpdir(), 'alrflow-cifar-'));
const dir10 = writeCifar10(join(root, 'c10'), 20, 15);
const dir100 = writeCifar100(join(root, 'c100'), 40, 10);
const cli = join(import.meta.dirname, '../../src/cli/alrflow.mjs');

describe('CIFAR-10 binary files', () => {
  test('records, labels and per-channel standardisation; DIR may be the folder or its parent', () => {
    const data = loadDataset('cifar10', { dataDir: join(root, 'c10') });
    expect(data.inputShape).toEqual([3, 32, 32]);
    expect(data.classes).toBe(10);
    expect([data.train.count, data.test.count]).toEqual([100, 15]);
    const raw = readFileSync(join(dir10, 'data_batch_2.bin'));
    expect(data.train.labels[20]).toBe(raw[0]);
    // Every channel of the training features has mean 0 and standard deviation 1.
    for (let c = 0; c < 3; c++) {
      const values = Array.from({ length: 100 }, (_, s) =>
        Array.from(data.train.features.subarray(s * 3072 + c * 1024, s * 3072 + (c + 1) * 1024)),
      ).flat();
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      expect(Math.abs(mean)).toBeLessThan(1e-4);
      expect(Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length)).toBeCloseTo(1, 3);
    }
    // Pixel order: the standardised values are a per-channel affine map of the bytes, so their order within a channel is kept.
    const f = data.train.features.subarray(20 * 3072, 21 * 3072);
    const bytes = raw.subarray(1, 3073);
    for (const [a, b] of [
      [0, 5],
      [1024, 2047],
      [2048, 3000],
    ] as const)
      expect(Math.sign(f[a]! - f[b]!)).toBe(Math.sign(bytes[a]! - bytes[b]!));
    expect(loadDataset('cifar10', { dataDir: dir10, limit: 30, testLimit: 4 }).train.count).toBe(30);
  });

  test('a missing or truncated file exits 2 naming the file, its size and the record size', () => {
    const parent = join(root, 'broken');
    const dir = writeCifar10(parent, 3, 2);
    truncateSync(join(dir, 'data_batch_1.bin'), 3 * 3073 - 5);
    expect(() => loadDataset('cifar10', { dataDir: parent })).toThrow(ConfigError);
    expect(() => loadDataset('cifar10', { dataDir: parent })).toThrow(
      /data_batch_1\.bin: 9214 bytes is not a whole number of 3073-byte records/,
    );
    expect(() => loadDataset('cifar10', { dataDir: join(root, 'nowhere') })).toThrow(/test_batch\.bin not found/);
    expect(() => loadDataset('cifar10', {})).toThrow(/needs --data-dir/);
    writeFileSync(join(dir, 'data_batch_1.bin'), Buffer.alloc(3073, 12));
    expect(() => loadDataset('cifar10', { dataDir: dir })).toThrow(/record 0 has label 12; allowed: 0 to 9/);
  });
});

describe('CIFAR-100 binary files', () => {
  test('fine labels give 100 classes, coarse 20, read from their own byte', () => {
    const fine = loadDataset('cifar100', { dataDir: dir100, labels: 'fine' });
    const coarse = loadDataset('cifar100', { dataDir: join(root, 'c100'), labels: 'coarse' });
    expect([fine.classes, coarse.classes]).toEqual([100, 20]);
    const raw = cifar100Records(40, 101);
    expect(Array.from(fine.train.labels)).toEqual(Array.from({ length: 40 }, (_, i) => raw[i * 3074 + 1]));
    expect(Array.from(coarse.train.labels)).toEqual(Array.from({ length: 40 }, (_, i) => raw[i * 3074]));
    expect(fine.train.features).toEqual(coarse.train.features);
  });

  test('train --labels coarse: the model has 20 outputs and the report says so; --labels with CIFAR-10 exits 2', () => {
    const out = join(root, 'run100');
    const args = [
      'train',
      '--model',
      'mlp',
      '--hidden',
      '8',
      '--dataset',
      'cifar100',
      '--labels',
      'coarse',
      '--data-dir',
      join(root, 'c100'),
    ];
    const r = spawnSync(
      process.execPath,
      [
        cli,
        ...args,
        '--method',
        'bp',
        '--batch',
        '20',
        '--epochs',
        '1',
        '--backend',
        'reference',
        '--quiet',
        '--out',
        out,
      ],
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'train-report.json'), 'utf8')) as {
      classes: number;
      summary: { config: { augment: string } };
    };
    expect(report.classes).toBe(20);
    expect(report.summary.config.augment).toBe('crop-flip');
    const last = Object.entries(readCheckpoint(join(out, 'checkpoint.bin')).arrays).filter(([name]) =>
      /bias/i.test(name),
    );
    expect(last.map(([, a]) => a.length)).toContain(20);
    const bad = spawnSync(
      process.execPath,
      [
        cli,
        'train',
        '--model',
        'mlp',
        '--dataset',
        'cifar10',
        '--labels',
        'coarse',
        '--data-dir',
        dir10,
        '--method',
        'bp',
        '--out',
        join(root, 'bad'),
      ],
      { encoding: 'utf8' },
    );
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--labels with --dataset cifar10/);
  });
});

describe('crop-flip augmentation', () => {
  const shape = [2, 6, 6];
  const image = (): Float64Array => Float64Array.from({ length: 72 * 3 }, (_, i) => 1 + (i % 72));
  const batch = () => ({ x: image(), labels: new Int32Array(3), samples: 3 });

  test('a pure function of (seed, step) that shifts and mirrors each image, zeros coming in', () => {
    const a = batch();
    const b = batch();
    augmentBatch(a, shape, 1, 5);
    augmentBatch(b, shape, 1, 5);
    expect(a.x).toEqual(b.x);
    const steps = Array.from({ length: 20 }, (_, step) => {
      const c = batch();
      augmentBatch(c, shape, 1, step);
      return Array.from(c.x).join(',');
    });
    expect(new Set(steps).size).toBeGreaterThan(10);
    // Each output value is either a zero (padding) or a value of the same channel of the same image.
    for (let s = 0; s < 3; s++) {
      for (let i = 0; i < 72; i++) {
        const v = a.x[s * 72 + i]!;
        const channel = Math.floor(i / 36);
        expect(v === 0 || (v > channel * 36 && v <= (channel + 1) * 36)).toBe(true);
      }
    }
  });
});
