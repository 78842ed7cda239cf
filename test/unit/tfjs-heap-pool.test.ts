// tfjs-wasm's max pooling loops (kernels/tfjs/tfjs-heap-pool.ts) against the reference's rule, written
// out here because reference/max-pool.ts refuses non-finite input (row-major taps, a tap wins only
// when greater than the best so far, starting from -Infinity, so NaN and -Infinity never win): the
// 2 x 2 tiling windows run on order keys of the float bits, so every class of float32 is tried there
// (signed zeros tied, NaNs, infinities, subnormals, ties after ReLU), and the general loop on
// overlapping windows; the backward sends each dy to the reference's winner.
import { describe, expect, it } from 'vitest';
import { loadTfjs } from '../../kernels/tfjs/tfjs-runtime.js';
import { heapMaxPool, heapMaxPoolBackward } from '../../kernels/tfjs/tfjs-heap-pool.js';
import type { PoolDims } from '../../kernels/reference/pool-dims.js';

const EDGES = [0, -0, 1e-45, -1e-45, 1, -1, 3.4e38, -3.4e38, Infinity, -Infinity, NaN, 2, 2, 0];

function values(length: number, seed: number): Float32Array {
  let s = seed;
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  // Mostly edge classes and ReLU-like ties at zero, some plain values.
  return Float32Array.from({ length }, () => (next() < 0.6 ? EDGES[Math.floor(next() * EDGES.length)]! : next() - 0.5));
}

/** Each window's first maximum (value and flat index, -1 where none) by the reference's loop. */
function firstMaxima(x: Float32Array, d: PoolDims) {
  const p = d.padding ?? 0;
  const outHeight = Math.floor((d.height + 2 * p - d.size) / d.stride) + 1;
  const outWidth = Math.floor((d.width + 2 * p - d.size) / d.stride) + 1;
  const output = new Float32Array(d.rows * d.channels * outHeight * outWidth);
  const indices: number[] = [];
  for (let plane = 0, o = 0; plane < d.rows * d.channels; plane++)
    for (let r = 0; r < outHeight; r++)
      for (let q = 0; q < outWidth; q++, o++) {
        let [best, index] = [-Infinity, -1];
        for (let u = 0; u < d.size; u++)
          for (let v = 0; v < d.size; v++) {
            const [iy, ix] = [r * d.stride + u - p, q * d.stride + v - p];
            const i = (plane * d.height + iy) * d.width + ix;
            if (iy >= 0 && iy < d.height && ix >= 0 && ix < d.width && x[i]! > best) [best, index] = [x[i]!, i];
          }
        output[o] = best;
        indices.push(index);
      }
  return { output, argmax: Int32Array.from(indices), outHeight, outWidth };
}

describe('tfjs-wasm max pooling loops', () => {
  for (const [name, dims] of [
    ['2 x 2 tiles', { rows: 3, channels: 4, height: 6, width: 8, size: 2, stride: 2 }],
    [
      'overlapping 3 x 3 windows every 1, padded',
      { rows: 2, channels: 3, height: 5, width: 5, size: 3, stride: 1, padding: 1 },
    ],
  ] as const)
    it(`${name}: the reference's maxima bit for bit, dy routed to its first maxima`, async () => {
      const tf = await loadTfjs();
      const x = values(dims.rows * dims.channels * dims.height * dims.width, 11);
      const want = firstMaxima(x, dims);
      const [outHeight, outWidth] = [want.outHeight, want.outWidth];
      const dy = Float32Array.from(want.output, (_, i) => i + 1);
      const xt = tf.tensor(x, [dims.rows, dims.channels, dims.height, dims.width]);
      const dyt = tf.tensor(dy, [dims.rows, dims.channels, outHeight, outWidth]);
      const pooled = heapMaxPool(tf, xt, dims, outHeight, outWidth)!;
      const got = Array.from(pooled.dataSync());
      expect(got.map(String)).toEqual(Array.from(want.output, String));
      expect(got.map((v) => Object.is(v, -0))).toEqual(Array.from(want.output, (v) => Object.is(v, -0)));
      const dx = heapMaxPoolBackward(tf, xt, dyt, dims, outHeight, outWidth)!;
      const routed = new Float64Array(x.length);
      want.argmax.forEach((i, o) => {
        if (i >= 0) routed[i]! += dy[o]!;
      });
      expect(Array.from(dx.dataSync())).toEqual(Array.from(routed));
      tf.dispose([xt, dyt, pooled, dx]);
    });
});
