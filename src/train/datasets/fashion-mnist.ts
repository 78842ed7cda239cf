// Fashion-MNIST from Debian's dataset-fashion-mnist package: four gzipped IDX files. The directory
// comes from options or ALRFLOW_FASHION_MNIST_DIR when set, otherwise from the package's file list
// (dpkg -L) or the Debian default. Standardised with the training set's own pixel statistics (0.2860, 0.3530).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ConfigError } from '../../errors.js';
import { imageIdxDataset } from './image-idx-dataset.js';
import type { Dataset, DatasetEntry, DatasetOptions } from './types.js';

export const fashionMnistInstallHint = 'sudo apt-get install -y dataset-fashion-mnist';
const debianDefaultDir = '/usr/share/datasets/fashion-mnist';
const marker = 'train-images-idx3-ubyte.gz';

function fromDpkg(): string | undefined {
  try {
    const files = execFileSync('dpkg', ['-L', 'dataset-fashion-mnist'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const hit = files.split('\n').find((line) => line.endsWith(`/${marker}`));
    return hit ? dirname(hit) : undefined;
  } catch {
    return undefined;
  }
}

/** The directory holding the gzipped IDX files, or undefined when none is found. */
export function fashionMnistDir(configured?: string): string | undefined {
  // An explicitly configured directory is the only candidate: silently falling back would hide a typo.
  const explicit = configured ?? process.env.ALRFLOW_FASHION_MNIST_DIR;
  const candidates = explicit ? [explicit] : [fromDpkg(), debianDefaultDir];
  return candidates.find((dir): dir is string => dir !== undefined && existsSync(join(dir, marker)));
}

export function fashionMnist(options: DatasetOptions = {}): Dataset {
  const dir = fashionMnistDir(options.fashionMnistDir);
  if (!dir) {
    const where = options.fashionMnistDir ?? process.env.ALRFLOW_FASHION_MNIST_DIR ?? debianDefaultDir;
    throw new ConfigError([
      `--dataset fashion-mnist: ${join(where, marker)} not found; install it with: ${fashionMnistInstallHint} (or set ALRFLOW_FASHION_MNIST_DIR to a directory holding the four .gz IDX files)`,
    ]);
  }
  const read = (file: string): Uint8Array => gunzipSync(readFileSync(join(dir, `${file}.gz`)));
  return imageIdxDataset('fashion-mnist', read, { mean: 0.286, std: 0.353 }, options);
}

export const fashionMnistDataset: DatasetEntry = {
  name: 'fashion-mnist',
  summary: "Fashion-MNIST, 28x28 (Debian's dataset-fashion-mnist)",
  images: true,
  defaultAugment: 'none',
  shape: () => ({ inputShape: [1, 28, 28], classes: 10 }),
  load: fashionMnist,
};
