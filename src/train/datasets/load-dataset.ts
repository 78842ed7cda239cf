// Loads a dataset by the name the CLI's --dataset option uses. A missing dataset raises a ConfigError
// naming the command that installs it (from the loader that found it missing).
import { ConfigError } from '../../errors.js';
import { cifar } from './cifar.js';
import { fashionMnist } from './fashion-mnist.js';
import { iris } from './iris.js';
import { mnist } from './mnist.js';
import { synthetic } from './synthetic.js';
import { datasetNames, type Dataset, type DatasetName, type DatasetOptions } from './types.js';

export function loadDataset(name: string, options: DatasetOptions = {}): Dataset {
  if (!(datasetNames as readonly string[]).includes(name)) {
    throw new ConfigError([`--dataset: found "${name}", allowed: ${datasetNames.join(', ')}`]);
  }
  const known = name as DatasetName;
  switch (known) {
    case 'mnist':
      return mnist(options);
    case 'fashion-mnist':
      return fashionMnist(options);
    case 'cifar10':
    case 'cifar100':
      return cifar(known, options);
    case 'iris':
      return iris(options);
    case 'synthetic':
      return synthetic(options);
    default:
      return known satisfies never;
  }
}
