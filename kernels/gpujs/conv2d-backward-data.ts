// gpu.js conv2d input gradient (BP), NCHW, in gather form: one thread per input element
// (x = column, y = row, z = batch * inChannels + channel) sums w[o, c, u, v] dy[n, o, p, q] over the
// taps whose output position reads it: p * stride + u - pad = iy with an integer p in [0, oh)
// (likewise q). Splits use floor((t + 0.5) / d), robust to float division returning 2.9999.
import type { ResidentArgs } from '../device-tensor.js';
import { convDims } from '../reference/conv-dims.js';
import { f32, type Flat, type Launcher, type ThreadThis } from './gpujs-context.js';

function conv2dBackwardDataBody(this: ThreadThis, dy: Flat, w: Flat): number {
  const ix = this.thread.x;
  const iy = this.thread.y;
  const nb = Math.floor((this.thread.z + 0.5) / this.constants.ci);
  const c = this.thread.z - nb * this.constants.ci;
  let sum = 0;
  for (let u = 0; u < this.constants.ks; u++) {
    const ty = iy + this.constants.pad - u;
    const p = Math.floor((ty + 0.5) / this.constants.stride);
    if (ty >= 0 && p * this.constants.stride === ty && p < this.constants.oh) {
      for (let v = 0; v < this.constants.ks; v++) {
        const tx = ix + this.constants.pad - v;
        const q = Math.floor((tx + 0.5) / this.constants.stride);
        if (tx >= 0 && q * this.constants.stride === tx && q < this.constants.ow) {
          for (let o = 0; o < this.constants.co; o++) {
            const wv = w[((o * this.constants.ci + c) * this.constants.ks + u) * this.constants.ks + v]!;
            sum += wv * dy[((nb * this.constants.co + o) * this.constants.oh + p) * this.constants.ow + q]!;
          }
        }
      }
    }
  }
  return sum;
}

export async function conv2dBackwardData<O>(ctx: Launcher<O>, a: ResidentArgs<'conv2d-backward-data'>): Promise<O> {
  const d = a.dims;
  const { outHeight, outWidth } = convDims('conv2d-backward-data', d);
  const kernel = ctx.kernel('conv2d-backward-data', conv2dBackwardDataBody, {
    output: [d.width, d.height, d.batch * d.inChannels],
    constants: {
      co: d.outChannels,
      ci: d.inChannels,
      ks: d.kernelSize,
      stride: d.stride,
      pad: d.padding,
      oh: outHeight,
      ow: outWidth,
    },
  });
  return ctx.call(kernel, f32(a.dy), f32(a.weights));
}
