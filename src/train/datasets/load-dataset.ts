// The datasets --dataset names, one record each (in the dataset's own file), and loading by name. A
// missing dataset raises a ConfigError naming the command that installs it (from its loader).
import { ConfigError } from '../../errors.js';
import { cifar100Dataset, cifar10Dataset } from './cifar.js';
import { fashionMnistDataset } from './fashion-mnist.js';
import { irisDataset } from './iris.js';
import { mnistDataset } from './mnist.js';
import { syntheticDataset } from './synthetic.js';
import type { Dataset, DatasetEntry, DatasetOptions } from './types.js';

export const datasets: readonly DatasetEntry[] = [
  mnistDataset,
  fashionMnistDataset,
  cifar10Dataset,
  cifar100Dataset,
  irisDataset,
  syntheticDataset,
];

export const datasetNames = datasets.map((d) => d.name);

export function datasetEntry(name: string): DatasetEntry {
  const entry = datasets.find((d) => d.name === name);
  if (!entry) throw new ConfigError([`--dataset: found "${name}", allowed: ${datasetNames.join(', ')}`]);
  return entry;
}

export function loadDataset(name: string, options: DatasetOptions = {}): Dataset {
  return datasetEntry(name).load(options);
}
