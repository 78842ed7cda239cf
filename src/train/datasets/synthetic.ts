// A synthetic teacher-student set: Gaussian inputs labelled by the argmax of a fixed random tanh
// network (16-32-4). Learnable by construction, deterministic in the seed, no files needed.
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { Dataset, DatasetEntry, DatasetOptions, Split } from './types.js';

const inputs = 16;
const hidden = 32;
const classes = 4;
const trainCount = 2000;
const testCount = 500;

type Source = () => number;

function gaussianSource(seed: number): Source {
  const rng = xoroshiro128plus(seed);
  return () => {
    const u = 1 - uniformFloat64(rng);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniformFloat64(rng));
  };
}

function teacher(normal: Source): (x: Float32Array, offset: number) => number {
  const w1 = Array.from({ length: hidden * inputs }, () => normal() / Math.sqrt(inputs));
  const w2 = Array.from({ length: classes * hidden }, () => normal() / Math.sqrt(hidden));
  return (x, offset) => {
    const h = Array.from({ length: hidden }, (_, i) => {
      let s = 0;
      for (let j = 0; j < inputs; j++) s += w1[i * inputs + j]! * x[offset + j]!;
      return Math.tanh(2 * s);
    });
    const logits = Array.from({ length: classes }, (_, c) => h.reduce((s, v, i) => s + w2[c * hidden + i]! * v, 0));
    return logits.indexOf(Math.max(...logits));
  };
}

function draw(count: number, normal: Source, label: (x: Float32Array, offset: number) => number): Split {
  const features = Float32Array.from({ length: count * inputs }, normal);
  const labels = Uint8Array.from({ length: count }, (_, i) => label(features, i * inputs));
  return { features, labels, count };
}

export function synthetic(options: DatasetOptions = {}): Dataset {
  const normal = gaussianSource(options.seed ?? 1);
  const label = teacher(normal);
  const train = draw(Math.min(trainCount, options.limit ?? trainCount), normal, label);
  const test = draw(Math.min(testCount, options.testLimit ?? testCount), normal, label);
  return { name: 'synthetic', inputShape: [inputs], classes, train, test };
}

export const syntheticDataset: DatasetEntry = {
  name: 'synthetic',
  summary: 'a seeded teacher network: 16 features, 4 classes',
  images: false,
  defaultAugment: 'none',
  shape: () => ({ inputShape: [inputs], classes }),
  load: synthetic,
};
