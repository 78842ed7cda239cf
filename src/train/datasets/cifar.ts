// CIFAR-10 and CIFAR-100 from the official "binary version" files (users bring them: neither
// registry here ships them). CIFAR-10: cifar-10-batches-bin/data_batch_1..5.bin and test_batch.bin,
// records of 1 label byte + 3,072 pixel bytes; CIFAR-100: cifar-100-binary/train.bin and test.bin,
// records of a coarse and a fine label byte + 3,072 pixel bytes. Pixels are channel-major (1,024
// red, green, blue bytes, rows in order), which is the runtime's [3, 32, 32]. Features are
// standardised per channel with the loaded training records' own mean and standard deviation.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../errors.js';
import type { Dataset, DatasetEntry, DatasetOptions, Split } from './types.js';

export type CifarName = 'cifar10' | 'cifar100';
export type CifarLabels = 'fine' | 'coarse';
export const cifarLabelKinds: readonly CifarLabels[] = ['fine', 'coarse'];

const pixelBytes = 3 * 32 * 32;
const channelBytes = 32 * 32;

interface Layout {
  folder: string;
  train: string[];
  test: string[];
  /** Label bytes before the pixels. */
  labelBytes: number;
}

const layouts: Record<CifarName, Layout> = {
  cifar10: {
    folder: 'cifar-10-batches-bin',
    train: [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`),
    test: ['test_batch.bin'],
    labelBytes: 1,
  },
  cifar100: { folder: 'cifar-100-binary', train: ['train.bin'], test: ['test.bin'], labelBytes: 2 },
};

/** The folder holding the files: DIR itself, or DIR/<official folder name>. */
function cifarDir(name: CifarName, dataDir: string | undefined): string {
  const layout = layouts[name];
  if (dataDir === undefined) {
    throw new ConfigError([
      `--dataset ${name}: needs --data-dir DIR, the folder ${layout.folder}/ of the official binary version (or its parent); CIFAR is not in the npm or Debian registry. Hint: download the "binary version" from https://www.cs.toronto.edu/~kriz/cifar.html and unpack it`,
    ]);
  }
  const candidates = [dataDir, join(dataDir, layout.folder)];
  const found = candidates.find((dir) => existsSync(join(dir, layout.test[0]!)));
  if (found) return found;
  throw new ConfigError([
    `--data-dir ${dataDir}: ${layout.test[0]} not found there or in ${join(dataDir, layout.folder)}; allowed: the folder ${layout.folder}/ (files ${[...layout.train, ...layout.test].join(', ')}) or its parent`,
  ]);
}

/** Reads whole records from the files in order until `limit` records are read. */
function readRecords(dir: string, files: string[], recordBytes: number, limit: number): Buffer[] {
  const parts: Buffer[] = [];
  let have = 0;
  for (const file of files) {
    if (have >= limit) break;
    const path = join(dir, file);
    if (!existsSync(path))
      throw new ConfigError([`${path}: missing; allowed: the official binary layout (${files.join(', ')})`]);
    const size = statSync(path).size;
    if (size === 0 || size % recordBytes !== 0) {
      throw new ConfigError([
        `${path}: ${size} bytes is not a whole number of ${recordBytes}-byte records (${Math.floor(size / recordBytes)} records and ${size % recordBytes} bytes over); the file is truncated or not in the binary version's layout`,
      ]);
    }
    const bytes = readFileSync(path);
    const take = Math.min(size / recordBytes, limit - have);
    parts.push(bytes.subarray(0, take * recordBytes));
    have += take;
  }
  return parts;
}

interface RawSplit {
  pixels: Uint8Array;
  labels: Uint8Array;
  count: number;
}

function rawSplit(
  dir: string,
  files: string[],
  layout: Layout,
  labelOffset: number,
  classes: number,
  limit: number,
): RawSplit {
  const recordBytes = layout.labelBytes + pixelBytes;
  const parts = readRecords(dir, files, recordBytes, limit);
  const count = parts.reduce((n, p) => n + p.length / recordBytes, 0);
  const pixels = new Uint8Array(count * pixelBytes);
  const labels = new Uint8Array(count);
  let r = 0;
  for (const [f, part] of parts.entries()) {
    for (let i = 0; i < part.length / recordBytes; i++, r++) {
      const at = i * recordBytes;
      labels[r] = part[at + labelOffset]!;
      if (labels[r]! >= classes) {
        throw new ConfigError([
          `${join(dir, files[f]!)}: record ${i} has label ${labels[r]}; allowed: 0 to ${classes - 1}`,
        ]);
      }
      pixels.set(part.subarray(at + layout.labelBytes, at + recordBytes), r * pixelBytes);
    }
  }
  return { pixels, labels, count };
}

/** Per-channel mean and standard deviation of pixels / 255. */
export function channelStats(raw: RawSplit): { mean: number[]; std: number[] } {
  const mean: number[] = [];
  const std: number[] = [];
  for (let c = 0; c < 3; c++) {
    let sum = 0;
    let squares = 0;
    for (let s = 0; s < raw.count; s++) {
      const base = s * pixelBytes + c * channelBytes;
      for (let p = 0; p < channelBytes; p++) {
        const v = raw.pixels[base + p]! / 255;
        sum += v;
        squares += v * v;
      }
    }
    const n = raw.count * channelBytes;
    mean.push(sum / n);
    std.push(Math.sqrt(Math.max(squares / n - (sum / n) ** 2, 1e-12)));
  }
  return { mean, std };
}

function normalised(raw: RawSplit, stats: { mean: number[]; std: number[] }): Split {
  const features = new Float32Array(raw.count * pixelBytes);
  for (let i = 0; i < features.length; i++) {
    const c = Math.floor((i % pixelBytes) / channelBytes);
    features[i] = (raw.pixels[i]! / 255 - stats.mean[c]!) / stats.std[c]!;
  }
  return { features, labels: raw.labels, count: raw.count };
}

export function cifar(name: CifarName, options: DatasetOptions = {}): Dataset {
  const layout = layouts[name];
  const dir = cifarDir(name, options.dataDir);
  const labels = options.labels ?? 'fine';
  const classes = name === 'cifar10' ? 10 : labels === 'fine' ? 100 : 20;
  // CIFAR-100 records start with the coarse label, then the fine one.
  const labelOffset = name === 'cifar100' && labels === 'fine' ? 1 : 0;
  const all = Number.POSITIVE_INFINITY;
  const train = rawSplit(dir, layout.train, layout, labelOffset, classes, options.limit ?? all);
  const test = rawSplit(dir, layout.test, layout, labelOffset, classes, options.testLimit ?? all);
  const stats = channelStats(train);
  return { name, inputShape: [3, 32, 32], classes, train: normalised(train, stats), test: normalised(test, stats) };
}

const cifarHelp = 'the official binary files in --data-dir';

export const cifar10Dataset: DatasetEntry = {
  name: 'cifar10',
  summary: `CIFAR-10, 32x32 colour, 10 classes (${cifarHelp})`,
  images: true,
  defaultAugment: 'crop-flip',
  shape: () => ({ inputShape: [3, 32, 32], classes: 10 }),
  load: (options) => cifar('cifar10', options),
};

export const cifar100Dataset: DatasetEntry = {
  name: 'cifar100',
  summary: `CIFAR-100, 32x32 colour, 100 fine or 20 coarse classes (${cifarHelp})`,
  images: true,
  defaultAugment: 'crop-flip',
  labelKinds: cifarLabelKinds,
  shape: (labels) => ({ inputShape: [3, 32, 32], classes: labels === 'coarse' ? 20 : 100 }),
  load: (options) => cifar('cifar100', options),
};
