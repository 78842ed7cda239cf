// gpu.js max and average pooling, NCHW rows (either may pad: padded taps are skipped; average divides
// by size^2 when mode is 1 (count_include_pad), else by the window's in-bounds taps): one thread per
// output element over (x = output column, y = output row, z = row * channels + channel). Max keeps
// the first maximum of the window in scan order, the element the reference's argmax names.
import type { ResidentArgs } from '../device-tensor.js';
import { poolDims } from '../reference/pool-dims.js';
import { f32, type Flat, type Launcher, type ThreadThis } from './gpujs-context.js';

function maxPoolBody(this: ThreadThis, x: Flat): number {
  const base = this.thread.z * this.constants.h * this.constants.w;
  const y0 = this.thread.y * this.constants.stride - this.constants.pad;
  const x0 = this.thread.x * this.constants.stride - this.constants.pad;
  let best = -3.4e38;
  for (let u = 0; u < this.constants.size; u++) {
    for (let v = 0; v < this.constants.size; v++) {
      const iy = y0 + u;
      const ix = x0 + v;
      if (iy >= 0 && iy < this.constants.h && ix >= 0 && ix < this.constants.w) {
        const value = x[base + iy * this.constants.w + ix]!;
        if (value > best) best = value;
      }
    }
  }
  return best;
}

function avgPoolBody(this: ThreadThis, x: Flat): number {
  const base = this.thread.z * this.constants.h * this.constants.w;
  const y0 = this.thread.y * this.constants.stride - this.constants.pad;
  const x0 = this.thread.x * this.constants.stride - this.constants.pad;
  let sum = 0;
  let taps = 0;
  for (let u = 0; u < this.constants.size; u++) {
    for (let v = 0; v < this.constants.size; v++) {
      const iy = y0 + u;
      const ix = x0 + v;
      if (iy >= 0 && iy < this.constants.h && ix >= 0 && ix < this.constants.w) {
        sum += x[base + iy * this.constants.w + ix]!;
        taps += 1;
      }
    }
  }
  if (this.constants.mode === 1) taps = this.constants.size * this.constants.size;
  return sum / taps;
}

export async function pool<O>(ctx: Launcher<O>, a: ResidentArgs<'pool'>): Promise<O> {
  const d = a.dims;
  const { outHeight, outWidth } = poolDims('pool', d);
  const body = a.op === 'max' ? maxPoolBody : avgPoolBody;
  const kernel = ctx.kernel(`pool-${a.op}`, body, {
    output: [outWidth, outHeight, d.rows * d.channels],
    constants: {
      h: d.height,
      w: d.width,
      size: d.size,
      stride: d.stride,
      pad: d.padding ?? 0,
      mode: d.countIncludePad ? 1 : 0,
    },
  });
  return ctx.call(kernel, f32(a.x));
}
