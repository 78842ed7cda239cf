// Writes procedural CIFAR-10 and CIFAR-100 files in the official binary layouts (test/fixtures/cifar-files.ts)
// for recipe runs and demos: `tsx bench/make-cifar.ts DIR [TRAIN_PER_CIFAR10_FILE] [CIFAR100_TRAIN] [TEST] [SEED]`.
// Defaults: 2000 records per CIFAR-10 training file (10,000 in all), 10,000 CIFAR-100 training
// records, 1,000 test records each, seed 7. Not real CIFAR: 10 (100) coloured gratings, see the fixture.
import { writeCifar10, writeCifar100 } from '../test/fixtures/cifar-files.js';

const [dir, per10 = '2000', train100 = '10000', test = '1000', seed = '7'] = process.argv.slice(2);
if (!dir) {
  console.error('usage: tsx bench/make-cifar.ts DIR [TRAIN_PER_CIFAR10_FILE] [CIFAR100_TRAIN] [TEST] [SEED]');
  process.exit(2);
}
console.log(`wrote ${writeCifar10(dir, Number(per10), Number(test), Number(seed))}`);
console.log(`wrote ${writeCifar100(dir, Number(train100), Number(test), Number(seed))}`);
