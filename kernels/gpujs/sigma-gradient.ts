// gpu.js learned-sigma gradient: one thread per channel c, summing loss[r] (eps^2 - 1) over rows and
// positions of c, divided by sigma[c] * normaliser (METHOD.md 2.1).
import type { ResidentArgs } from '../device-tensor.js';
import { f32, type Flat, type Launcher, type ThreadThis } from './gpujs-context.js';

function sigmaGradientBody(this: ThreadThis, eps: Flat, loss: Flat, sigma: Flat, normaliser: number): number {
  const c = this.thread.x;
  let g = 0;
  for (let r = 0; r < this.constants.rows; r++) {
    const base = (r * this.constants.channels + c) * this.constants.spatial;
    for (let s = 0; s < this.constants.spatial; s++) g += loss[r]! * (eps[base + s]! * eps[base + s]! - 1);
  }
  return g / (sigma[c]! * normaliser);
}

export async function sigmaGradient<O>(ctx: Launcher<O>, a: ResidentArgs<'sigma-gradient'>): Promise<O | Float32Array> {
  const kernel = ctx.kernel('sigma-gradient', sigmaGradientBody, {
    output: [a.channels],
    constants: { rows: a.rows, channels: a.channels, spatial: a.spatial },
  });
  return ctx.call(kernel, f32(a.eps), f32(a.loss), f32(a.sigma), a.normaliser);
}
