// Mini-batches as a pure function of (seed, epoch, index): the epoch's permutation comes from a
// xoroshiro128+ stream seeded by (seed, epoch), so a resumed run draws exactly the same batches.
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { Split } from './datasets/types.js';
import type { Batch } from './runtime/step-types.js';

export function epochPermutation(count: number, seed: number, epoch: number): Uint32Array {
  const rng = xoroshiro128plus((seed * 1_000_003 + epoch * 7919) | 0);
  const order = Uint32Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = uniformInt(rng, 0, i);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** Batch `index` of an epoch (the last partial batch of an epoch is dropped). */
export function gatherBatch(split: Split, width: number, order: Uint32Array, index: number, size: number): Batch {
  const x = new Float64Array(size * width);
  const labels = new Int32Array(size);
  for (let r = 0; r < size; r++) {
    const sample = order[index * size + r]!;
    for (let c = 0; c < width; c++) x[r * width + c] = split.features[sample * width + c]!;
    labels[r] = split.labels[sample]!;
  }
  return { x, labels, samples: size };
}
