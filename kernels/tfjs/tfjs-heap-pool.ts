// Max pooling and its backward for tfjs-wasm as JS loops over the tensors' wasm memory (tfjs-heap.ts),
// NCHW in and out, the reference's rule exactly (reference/max-pool.ts: row-major taps, the first
// maximum wins, padded positions never do). TF.js's broadcasting Equal over the 6-D window view
// that max-pool backward used took about half of a resnet5 BP step (141 ms for one [32, 16, 2, 16, 2,
// 32] call, profiled); these loops need no NCHW <-> NHWC transposes either. The forward keeps each
// window's winner (its flat input index) by the input's TF.js data id, so the backward of the same
// input only scatters dy; an input it has not seen (the host table uploads each call afresh) is
// scanned again. Undefined off the wasm backend (the caller runs its TF.js ops). Not a kernel.
import type * as TfCore from '@tensorflow/tfjs-core';
import type { PoolBackwardArgs } from '../names.js';
import { avgDivisor } from '../reference/pool-dims.js';
import { heapMap } from './tfjs-heap.js';

type Tf = typeof TfCore;
type Dims = PoolBackwardArgs['dims'];

/** Winners of a forward pass by its input's data id (a TF.js tensor's data never changes), with the dims they were found for. */
const winnersOf = new WeakMap<object, { key: string; at: Int32Array }>();

const dimsKey = (d: Dims): string =>
  [d.rows, d.channels, d.height, d.width, d.size, d.stride, d.padding ?? 0].join(',');

/** An int32 whose order is the float order of the float32 with bits b (-0 = +0); NaNs map to -Infinity's key (they never win). */
function orderKey(b: number): number {
  const [sign, magnitude] = [b >> 31, b & 0x7fffffff];
  const key = ((magnitude ^ sign) - sign) | 0;
  const nan = ((0x7f800000 - magnitude) >> 31) & 1;
  return (key - nan * (key + 0x7f800000)) | 0;
}

/** 1 where int32 a > b, else 0, without a branch (Hacker's Delight's signed less-than). */
function greater(a: number, b: number): number {
  const d = (b - a) | 0;
  return (d ^ ((b ^ a) & (d ^ b))) >>> 31;
}

/**
 * scanWindows for 2 x 2 windows tiling the input (stride 2, no padding) on the values' order keys:
 * no branch per tap (ReLU'd inputs make the comparisons unpredictable): the scan 3.1 against 4.4 ms, the
 * whole call 5.2 against 6.0 ms on resnet5's first pool. The same rule: a tap wins only when greater than every earlier one.
 */
function scanTiles(
  x: Float32Array,
  planes: number,
  w: number,
  oh: number,
  ow: number,
  out: Float32Array,
  at: Int32Array,
) {
  const bits = new Int32Array(x.buffer, x.byteOffset, x.length);
  let o = 0;
  for (let row = 0; row < planes * oh; row++)
    for (let q = 0, top = 2 * row * w; q < ow; q++, o++) {
      let best = -0x7f800000;
      let index = -1;
      // Taps in row-major order (u = t >> 1, v = t & 1); each replaces the best only when its key is greater.
      for (let t = 0; t < 4; t++) {
        const i = top + 2 * q + (t >> 1) * w + (t & 1);
        const key = orderKey(bits[i]!);
        const g = greater(key, best);
        best += g * (key - best);
        index += g * (i - index);
      }
      at[o] = index;
      out[o] = index >= 0 ? x[index]! : -Infinity;
    }
}

/** Each output's window maximum into `out` and its flat input index (-1 where no tap beats -Infinity) into `at`. */
function scanWindows(x: Float32Array, d: Dims, oh: number, ow: number, out: Float32Array, at: Int32Array): void {
  const { height: h, width: w, size, stride, padding = 0 } = d;
  if (size === 2 && stride === 2 && padding === 0 && h === 2 * oh && w === 2 * ow)
    return scanTiles(x, d.rows * d.channels, w, oh, ow, out, at);
  let o = 0;
  for (let plane = 0; plane < d.rows * d.channels; plane++) {
    const base = plane * h * w;
    for (let p = 0; p < oh; p++) {
      const top = p * stride - padding;
      const [u0, u1] = [Math.max(0, -top), Math.min(size, h - top)];
      for (let q = 0; q < ow; q++, o++) {
        const left = q * stride - padding;
        const [v0, v1] = [Math.max(0, -left), Math.min(size, w - left)];
        let best = -Infinity;
        let index = -1;
        for (let u = u0; u < u1; u++) {
          const row = base + (top + u) * w + left;
          for (let v = v0; v < v1; v++) {
            if (x[row + v]! > best) {
              best = x[row + v]!;
              index = row + v;
            }
          }
        }
        out[o] = best;
        at[o] = index;
      }
    }
  }
}

/** NCHW max pooling, or undefined off the wasm backend. */
export function heapMaxPool(tf: Tf, x: TfCore.Tensor, d: Dims, oh: number, ow: number): TfCore.Tensor | undefined {
  const at = new Int32Array(d.rows * d.channels * oh * ow);
  const pooled = heapMap(tf, [x], [d.rows, d.channels, oh, ow], (out, [xs]) => scanWindows(xs!, d, oh, ow, out, at));
  if (pooled) winnersOf.set(x.dataId, { key: dimsKey(d), at });
  return pooled;
}

/** NCHW max-pool backward (each dy to its window's first maximum, summed where windows overlap), or undefined off the wasm backend. */
export function heapMaxPoolBackward(
  tf: Tf,
  x: TfCore.Tensor,
  dy: TfCore.Tensor,
  d: Dims,
  oh: number,
  ow: number,
): TfCore.Tensor | undefined {
  const known = winnersOf.get(x.dataId);
  return heapMap(tf, [x, dy], [d.rows, d.channels, d.height, d.width], (out, [xs, g]) => {
    let at = known?.key === dimsKey(d) ? known.at : undefined;
    if (!at) {
      at = new Int32Array(g!.length);
      scanWindows(xs!, d, oh, ow, new Float32Array(g!.length), at);
    }
    out.fill(0);
    for (let o = 0; o < at.length; o++) {
      const i = at[o]!;
      if (i >= 0) out[i] = out[i]! + g![o]!;
    }
  });
}

/**
 * NCHW average-pool backward as reference/avg-pool-backward.ts computes it (dy times 1 / the window's
 * divisor to every in-bounds tap, summed where windows overlap), or undefined off the wasm backend.
 * TF.js's AvgPoolGrad needed NHWC transposes around it and a zero-padded input.
 */
export function heapAvgPoolBackward(tf: Tf, dy: TfCore.Tensor, d: Dims, oh: number, ow: number) {
  const { height: h, width: w, size, stride, padding = 0 } = d;
  return heapMap(tf, [dy], [d.rows, d.channels, h, w], (out, [g]) => {
    out.fill(0);
    for (let plane = 0, o = 0; plane < d.rows * d.channels; plane++)
      for (let p = 0; p < oh; p++)
        for (let q = 0; q < ow; q++, o++) {
          const share = g![o]! * (1 / avgDivisor(d, p, q));
          for (let iy = Math.max(0, p * stride - padding); iy < Math.min(h, p * stride - padding + size); iy++) {
            const row = plane * h * w + iy * w;
            for (let ix = Math.max(0, q * stride - padding); ix < Math.min(w, q * stride - padding + size); ix++)
              out[row + ix] = out[row + ix]! + share;
          }
        }
  });
}
