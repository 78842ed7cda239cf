// Training-batch augmentation for images: a random crop of the image zero-padded by 4 pixels (a shift
// of up to 4 pixels each way; zero is the channel mean after standardisation) and a horizontal flip
// with probability 1/2. A pure function of (seed, step), like the batches, so a resumed run sees the
// same augmented samples. Only training batches are augmented; evaluation sees the images as they are.
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { Batch } from './runtime/step-types.js';

export type AugmentKind = 'none' | 'crop-flip';
export const augmentKinds: readonly AugmentKind[] = ['none', 'crop-flip'];

const pad = 4;

/** One image [C, H, W] at `offset`, shifted by (dy, dx) with zeros coming in, mirrored when flip. */
function shiftFlip(x: Float64Array, offset: number, shape: number[], dy: number, dx: number, flip: boolean): void {
  const [channels, height, width] = shape as [number, number, number];
  const plane = new Float64Array(height * width);
  for (let c = 0; c < channels; c++) {
    const base = offset + c * height * width;
    plane.set(x.subarray(base, base + height * width));
    for (let y = 0; y < height; y++) {
      const sy = y + dy;
      for (let col = 0; col < width; col++) {
        const sx = (flip ? width - 1 - col : col) + dx;
        x[base + y * width + col] = sy >= 0 && sy < height && sx >= 0 && sx < width ? plane[sy * width + sx]! : 0;
      }
    }
  }
}

/** Augments a training batch in place; `shape` is one sample's [C, H, W]. */
export function augmentBatch(batch: Batch, shape: number[], seed: number, step: number): void {
  if (shape.length !== 3) throw new Error(`internal: augmentBatch needs [C, H, W] samples, got [${shape.join(', ')}]`);
  const rng = xoroshiro128plus((seed * 2_654_435_761 + step * 40_503 + 17) | 0);
  const perSample = shape[0]! * shape[1]! * shape[2]!;
  for (let s = 0; s < batch.samples; s++) {
    const dy = uniformInt(rng, -pad, pad);
    const dx = uniformInt(rng, -pad, pad);
    const flip = uniformInt(rng, 0, 1) === 1;
    shiftFlip(batch.x, s * perSample, shape, dy, dx, flip);
  }
}
