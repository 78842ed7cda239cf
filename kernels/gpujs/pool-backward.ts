// gpu.js pooling backward (BP), NCHW rows (max may pad), in gather form: one thread per input element
// (x = column, y = row, z = row * channels + channel) sums the output gradients of the windows that
// hold it, so no two threads write one element. A window tap (u, v) holds the element when
// p * stride + u - pad = iy has an integer p in [0, oh) (likewise q); the split uses floor((t + 0.5) / s),
// robust to float division returning 2.9999. Max routes a window's gradient to its first maximum
// in scan order, recomputed here (the reference's argmax); avg spreads it evenly over the window's
// divisor (size^2 when mode is 1, else its in-bounds taps) and reads no x (the runtime passes an empty one).
import type { ResidentArgs } from '../device-tensor.js';
import { poolDims } from '../reference/pool-dims.js';
import { f32, type Flat, type Launcher, type ThreadThis } from './gpujs-context.js';

function avgPoolBackwardBody(this: ThreadThis, dy: Flat): number {
  const rc = this.thread.z;
  let sum = 0;
  for (let u = 0; u < this.constants.size; u++) {
    const ty = this.thread.y + this.constants.pad - u;
    const p = Math.floor((ty + 0.5) / this.constants.stride);
    if (ty >= 0 && p * this.constants.stride === ty && p < this.constants.oh) {
      const y0 = p * this.constants.stride - this.constants.pad;
      const rowsIn = Math.min(y0 + this.constants.size, this.constants.h) - Math.max(y0, 0);
      for (let v = 0; v < this.constants.size; v++) {
        const tx = this.thread.x + this.constants.pad - v;
        const q = Math.floor((tx + 0.5) / this.constants.stride);
        if (tx >= 0 && q * this.constants.stride === tx && q < this.constants.ow) {
          const x0 = q * this.constants.stride - this.constants.pad;
          let taps = rowsIn * (Math.min(x0 + this.constants.size, this.constants.w) - Math.max(x0, 0));
          if (this.constants.mode === 1) taps = this.constants.size * this.constants.size;
          sum += dy[(rc * this.constants.oh + p) * this.constants.ow + q]! / taps;
        }
      }
    }
  }
  return sum;
}

function maxPoolBackwardBody(this: ThreadThis, dy: Flat, x: Flat): number {
  const rc = this.thread.z;
  const base = rc * this.constants.h * this.constants.w;
  let sum = 0;
  for (let u = 0; u < this.constants.size; u++) {
    const ty = this.thread.y + this.constants.pad - u;
    const p = Math.floor((ty + 0.5) / this.constants.stride);
    if (ty >= 0 && p * this.constants.stride === ty && p < this.constants.oh) {
      for (let v = 0; v < this.constants.size; v++) {
        const tx = this.thread.x + this.constants.pad - v;
        const q = Math.floor((tx + 0.5) / this.constants.stride);
        if (tx >= 0 && q * this.constants.stride === tx && q < this.constants.ow) {
          const y0 = p * this.constants.stride - this.constants.pad;
          const x0 = q * this.constants.stride - this.constants.pad;
          let best = -3.4e38;
          let bu = 0;
          let bv = 0;
          for (let uu = 0; uu < this.constants.size; uu++) {
            for (let vv = 0; vv < this.constants.size; vv++) {
              const iy = y0 + uu;
              const ix = x0 + vv;
              if (iy >= 0 && iy < this.constants.h && ix >= 0 && ix < this.constants.w) {
                const value = x[base + iy * this.constants.w + ix]!;
                if (value > best) {
                  best = value;
                  bu = uu;
                  bv = vv;
                }
              }
            }
          }
          if (bu === u && bv === v) sum += dy[(rc * this.constants.oh + p) * this.constants.ow + q]!;
        }
      }
    }
  }
  return sum;
}

export async function poolBackward<O>(ctx: Launcher<O>, a: ResidentArgs<'pool-backward'>): Promise<O> {
  const d = a.dims;
  const { outHeight, outWidth } = poolDims('pool-backward', d);
  const spec = {
    output: [d.width, d.height, d.rows * d.channels],
    constants: {
      h: d.height,
      w: d.width,
      oh: outHeight,
      ow: outWidth,
      size: d.size,
      stride: d.stride,
      pad: d.padding ?? 0,
      mode: d.countIncludePad ? 1 : 0,
    },
  };
  if (a.op === 'avg') return ctx.call(ctx.kernel('pool-backward-avg', avgPoolBackwardBody, spec), f32(a.dy));
  return ctx.call(ctx.kernel('pool-backward-max', maxPoolBackwardBody, spec), f32(a.dy), f32(a.x));
}
