// gpu.js conv2d weight gradient (BP's, and the LR/ALR conv gradient product with error signals as
// dy): one thread per weight (x = v, y = u, z = outChannel * inChannels + inChannel) sums
// dy[n, o, p, q] x[n, c, p * stride + u - pad, q * stride + v - pad] over n, p, q; one thread per
// output channel sums its bias gradient over n and the oh * ow positions.
import type { ResidentArgs } from '../device-tensor.js';
import { convDims } from '../reference/conv-dims.js';
import { f32, type Flat, type Launcher, type ThreadThis } from './gpujs-context.js';

function weightsBody(this: ThreadThis, dy: Flat, x: Flat): number {
  const v = this.thread.x;
  const u = this.thread.y;
  const o = Math.floor((this.thread.z + 0.5) / this.constants.ci);
  const c = this.thread.z - o * this.constants.ci;
  let sum = 0;
  for (let n = 0; n < this.constants.batch; n++) {
    for (let p = 0; p < this.constants.oh; p++) {
      const iy = p * this.constants.stride + u - this.constants.pad;
      if (iy >= 0 && iy < this.constants.h) {
        for (let q = 0; q < this.constants.ow; q++) {
          const ix = q * this.constants.stride + v - this.constants.pad;
          if (ix >= 0 && ix < this.constants.w) {
            const g = dy[((n * this.constants.co + o) * this.constants.oh + p) * this.constants.ow + q]!;
            sum += g * x[((n * this.constants.ci + c) * this.constants.h + iy) * this.constants.w + ix]!;
          }
        }
      }
    }
  }
  return sum;
}

function biasesBody(this: ThreadThis, dy: Flat): number {
  const o = this.thread.x;
  let sum = 0;
  for (let n = 0; n < this.constants.batch; n++) {
    for (let j = 0; j < this.constants.spatial; j++)
      sum += dy[(n * this.constants.co + o) * this.constants.spatial + j]!;
  }
  return sum;
}

export async function conv2dBackwardWeights<O>(
  ctx: Launcher<O>,
  a: ResidentArgs<'conv2d-backward-weights'>,
): Promise<{ weights: O; biases: O }> {
  const d = a.dims;
  const { outHeight: oh, outWidth: ow } = convDims('conv2d-backward-weights', d);
  const wk = ctx.kernel('conv2d-backward-weights', weightsBody, {
    output: [d.kernelSize, d.kernelSize, d.outChannels * d.inChannels],
    constants: {
      batch: d.batch,
      co: d.outChannels,
      ci: d.inChannels,
      stride: d.stride,
      pad: d.padding,
      h: d.height,
      w: d.width,
      oh,
      ow,
    },
  });
  const bk = ctx.kernel('conv2d-backward-biases', biasesBody, {
    output: [d.outChannels],
    constants: { batch: d.batch, co: d.outChannels, spatial: oh * ow },
  });
  const dy = f32(a.dy);
  return { weights: await ctx.call(wk, dy, f32(a.x)), biases: await ctx.call(bk, dy) };
}
