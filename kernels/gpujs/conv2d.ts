// gpu.js conv2d (cross-correlation, zero padding), NCHW, one thread per output element, float32.
// Threads run over (x = output column, y = output row, z = batch * outChannels + channel); the z
// split uses floor((z + 0.5) / C), which is robust to GPUs whose float division returns 2.9999.

import { convDims } from '../reference/conv-dims.js';
import type { ResidentArgs } from '../device-tensor.js';
import { f32, type Flat, type Launcher, type ThreadThis } from './gpujs-context.js';

function conv2dBody(this: ThreadThis, x: Flat, w: Flat): number {
  const q = this.thread.x;
  const p = this.thread.y;
  const nb = Math.floor((this.thread.z + 0.5) / this.constants.co);
  const o = this.thread.z - nb * this.constants.co;
  let sum = 0;
  for (let c = 0; c < this.constants.ci; c++) {
    for (let u = 0; u < this.constants.ks; u++) {
      const iy = p * this.constants.stride + u - this.constants.pad;
      if (iy >= 0 && iy < this.constants.h) {
        for (let v = 0; v < this.constants.ks; v++) {
          const ix = q * this.constants.stride + v - this.constants.pad;
          if (ix >= 0 && ix < this.constants.w) {
            const wIndex = ((o * this.constants.ci + c) * this.constants.ks + u) * this.constants.ks + v;
            sum += w[wIndex]! * x[((nb * this.constants.ci + c) * this.constants.h + iy) * this.constants.w + ix]!;
          }
        }
      }
    }
  }
  return sum;
}

export async function conv2d<O>(ctx: Launcher<O>, a: ResidentArgs<'conv2d'>): Promise<O> {
  const d = a.dims;
  const { outHeight, outWidth } = convDims('conv2d', d);
  const kernel = ctx.kernel('conv2d', conv2dBody, {
    output: [outWidth, outHeight, d.batch * d.outChannels],
    constants: {
      co: d.outChannels,
      ci: d.inChannels,
      ks: d.kernelSize,
      stride: d.stride,
      pad: d.padding,
      h: d.height,
      w: d.width,
    },
  });
  return ctx.call(kernel, f32(a.x), f32(a.weights));
}
